/**
 * Connections that say they are seeds. A link this seed dialled to a
 * seed's configured address is that seed's at once. An inbound one only
 * claims to be: this seed sends a nonce to the claimed seed over its own
 * outbound link (`seed_challenge`), the real seed echoes it on its outbound
 * link (`seed_proof`), and the inbound link the echo arrives on is verified.
 * Until then nothing it sends is acted on: its seed messages wait in a
 * small buffer and are handled once it is verified, or dropped with it.
 *
 * @module
 */

import { isListedSeed } from "../config/seed_list.ts";
import type { Admission } from "../node/node_host.ts";
import { type Address, formatAddress, sameAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import type { FramedConnection } from "../wire/connection.ts";
import type { HelloMessage, Message } from "../wire/messages.ts";
import { SeedChallenges } from "./seed_auth.ts";
import type { SeedMesh } from "./seed_mesh.ts";

/** A connection's role when it is a seed link (verified or a claim). */
export interface SeedLinkRole {
  readonly kind: "seed";
  /** The claimed seed's `host:port`. */
  readonly key: string;
}

/** What {@linkcode SeedLinks} needs. */
export interface SeedLinksOptions {
  self: Address;
  /** Every seed of the config. */
  seeds: readonly Address[];
  mesh: SeedMesh;
  clock: Clock;
  /** How long a challenge waits for its echo, in ms. */
  challengeTtlMs: number;
  /** An inbound link was verified: it no longer counts as a stranger. */
  settle(connection: FramedConnection): void;
  /** A link to `key` is verified (either direction). */
  linked(connection: FramedConnection, key: string): void;
  /** Handles a seed message from a verified link; false if the link may not carry it. */
  deliver(connection: FramedConnection, key: string, message: Message): boolean;
}

/** Most seed messages held from a claim before it is verified. */
const MAX_HELD = 64;
/** Most challenges one link may send (an honest seed sends one per link it sees). */
const MAX_CHALLENGES_PER_LINK = 8;

/** Admits, verifies and gates seed links. */
export class SeedLinks {
  readonly #options: SeedLinksOptions;
  readonly #challenges: SeedChallenges;
  readonly #held = new Map<FramedConnection, Message[]>();
  readonly #challengesFrom = new Map<FramedConnection, number>();
  /** Echoes owed to seeds whose outbound link was not up yet, by seed. */
  readonly #owed = new Map<string, string[]>();

  /** Creates the gate. */
  constructor(options: SeedLinksOptions) {
    this.#options = options;
    this.#challenges = new SeedChallenges(options.challengeTtlMs);
  }

  /** Decides a connection whose hello says `seed`. */
  admit(connection: FramedConnection<SeedLinkRole>, hello: HelloMessage): Admission<SeedLinkRole> {
    const o = this.#options;
    const key = formatAddress(hello.address);
    if (!isListedSeed(o.seeds, hello.address)) {
      return {
        reject: {
          code: "unexpected_message",
          text: `${key} is not a seed in this network's config`,
        },
      };
    }
    if (sameAddress(hello.address, o.self)) {
      return { reject: { code: "unexpected_message", text: `${key} is this seed's own address` } };
    }
    const intent = connection.role;
    if (connection.direction === "out") {
      if (intent?.key !== key) {
        const text = `Dialled seed ${intent?.key ?? "?"} but ${key} answered`;
        return { reject: { code: "unexpected_message", text } };
      }
      o.mesh.attach(key, connection);
      // A challenge can arrive on the other link before this one's handshake ends.
      for (const nonce of this.#owed.get(key) ?? []) {
        connection.send({ kind: "seed_proof", nonce });
      }
      this.#owed.delete(key);
      o.linked(connection, key);
      // Claims of this seed waiting for this very link can be challenged now.
      if (o.mesh.claims(key).length > 0) this.#challenge(key);
      return { role: intent, settled: true };
    }
    if (!o.mesh.claim(key, connection)) {
      const text = `Too many unverified links claim to be seed ${key}`;
      return { reject: { code: "too_many_connections", text } };
    }
    this.#held.set(connection, []);
    this.#challenge(key);
    return { role: { kind: "seed", key } };
  }

  /** Handles a message on a seed link or claim; false if the link may not carry it. */
  onMessage(connection: FramedConnection, key: string, message: Message): boolean {
    const o = this.#options;
    switch (message.kind) {
      case "pong":
        return true;
      case "seed_challenge": {
        // Only the real seed's challenge can reach us over our own outbound
        // link; echoing on it sends the nonce to the configured address.
        const sent = (this.#challengesFrom.get(connection) ?? 0) + 1;
        this.#challengesFrom.set(connection, sent);
        if (sent > MAX_CHALLENGES_PER_LINK) return false;
        if (connection.direction !== "in") return true;
        const out = o.mesh.outbound(key);
        if (out) out.send({ kind: "seed_proof", nonce: message.nonce });
        else {
          const owed = this.#owed.get(key) ?? [];
          owed.push(message.nonce);
          this.#owed.set(key, owed.slice(-MAX_CHALLENGES_PER_LINK));
        }
        return true;
      }
      case "seed_proof":
        if (
          o.mesh.isClaim(key, connection) &&
          this.#challenges.answer(key, message.nonce, o.clock.now())
        ) {
          this.#verify(connection, key);
        }
        return true;
      default: {
        if (o.mesh.isVerified(key, connection)) return o.deliver(connection, key, message);
        const held = this.#held.get(connection);
        if (!held) return true; // closing: nothing to act on
        held.push(message);
        return held.length <= MAX_HELD;
      }
    }
  }

  /** A seed link or claim closed. */
  closed(connection: FramedConnection): void {
    this.#held.delete(connection);
    this.#challengesFrom.delete(connection);
  }

  /** Forgets every challenge (shutdown). */
  stop(): void {
    this.#challenges.clear();
    this.#owed.clear();
  }

  #challenge(key: string): void {
    const o = this.#options;
    const now = o.clock.now();
    const nonce = this.#challenges.pending(key, now) ?? freshNonce();
    const out = o.mesh.outbound(key);
    if (!out) {
      o.mesh.redialNow(key);
      return;
    }
    this.#challenges.issue(key, nonce, now);
    out.send({ kind: "seed_challenge", nonce });
  }

  #verify(connection: FramedConnection, key: string): void {
    const o = this.#options;
    o.mesh.verify(key, connection);
    o.settle(connection);
    o.linked(connection, key);
    const held = this.#held.get(connection) ?? [];
    this.#held.delete(connection);
    for (const message of held) {
      if (connection.isClosed) return;
      if (!o.deliver(connection, key, message)) {
        connection.fail(
          "protocol_error",
          "unexpected_message",
          `Unexpected ${message.kind} from a seed`,
        );
        return;
      }
    }
  }
}

function freshNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
