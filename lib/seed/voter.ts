/**
 * A seed's vote on a proposed change, its own proposals included. It
 * checks for itself: a promise made to the opposite change, a full list, an
 * address no peer may hold, and then, for a removal or a registration it
 * heard itself, a probe of the peer (`change_checks.ts`). A yes vote is a
 * promise kept in the {@linkcode PromiseBook} until the proposal ends.
 *
 * @module
 */

import type { ProposedChange } from "../protocol/membership_types.ts";
import { formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import { addVerdict, type ChangeChecks, removeVerdict } from "./change_checks.ts";
import { PromiseBook, type Vote } from "./consensus.ts";
import type { Membership } from "./membership.ts";
import type { RecordGate } from "./record_gate.ts";

/** What {@linkcode Voter} needs. */
export interface VoterOptions {
  membership: Membership;
  checks: ChangeChecks;
  gate: RecordGate;
  /** Most members this seed accepts. */
  maxPeers: number;
  voteTimeoutMs: number;
  clock: Clock;
}

/** Decides this seed's votes and keeps its promises. */
export class Voter {
  readonly #options: VoterOptions;
  readonly #promises = new PromiseBook();

  /** Creates the voter. */
  constructor(options: VoterOptions) {
    this.#options = options;
  }

  /** The proposal ended (committed or aborted): its promise no longer binds. */
  release(proposalId: string): void {
    this.#promises.release(proposalId);
  }

  /**
   * This seed's vote on proposal `id`. For an add, `nodeId` is the
   * registrant's own, when this seed heard the registration itself.
   */
  async decide(id: string, change: ProposedChange, nodeId?: string): Promise<Vote> {
    const o = this.#options;
    const key = formatAddress(change.peer);
    const now = o.clock.now();
    const until = now + 2 * o.voteTimeoutMs;
    if (change.op === "add") {
      // A promise binds even for a peer already listed: this seed may have
      // agreed to remove it, and must not also agree to keep it.
      if (this.#promises.conflicts(key, "add", now)) return { yes: false, reason: "being removed" };
      const member = o.membership.isMember(key);
      if (!member && o.membership.size >= o.maxPeers) return { yes: false, reason: "max_peers" };
      const problem = o.gate.addressProblem(change.peer);
      if (problem !== undefined) return { yes: false, reason: problem };
      this.#promises.promise(id, key, "add", until);
      // The seed the peer registered with checks its node id before the
      // registration can commit; the others check the address when the
      // commit arrives (record_gate.ts), off the registration's path.
      if (nodeId === undefined) return { yes: true, reason: member ? "already a member" : "ok" };
      const verdict = addVerdict(await o.checks.probe(change.peer), nodeId);
      if (!verdict.yes) {
        this.#promises.release(id);
        return { yes: false, reason: verdict.reason };
      }
      return { yes: true, reason: member ? "already a member" : "ok" };
    }
    if (this.#promises.conflicts(key, "remove", now)) {
      return { yes: false, reason: "being registered" };
    }
    // Promise before probing: while this seed checks, it refuses to agree
    // to the opposite change, and a commit or abort that arrives meanwhile
    // releases the promise like any other.
    this.#promises.promise(id, key, "remove", until);
    const verdict = removeVerdict(await o.checks.probe(change.peer));
    if (!verdict.yes) this.#promises.release(id);
    return { yes: verdict.yes, reason: verdict.reason };
  }
}
