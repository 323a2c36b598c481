/**
 * Membership changes decided by a majority of seeds: the runtime around the
 * pure books in `consensus.ts`. It proposes changes, votes on the others'
 * proposals (probing a peer itself before agreeing it is dead), and commits
 * or aborts.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import type { ProbeResult } from "../wire/probe.ts";
import type {
  CommitMessage,
  MemberRecord,
  Message,
  ProposeMessage,
  VoteMessage,
} from "../wire/messages.ts";
import type { ProposedChange } from "../protocol/membership_types.ts";
import { PromiseBook, ProposalBook, type Vote } from "./consensus.ts";
import type { Membership } from "./membership.ts";

/** How a proposal ended. */
export interface Decision {
  readonly accepted: boolean;
  readonly yes: number;
  readonly needed: number;
  /** One line: why it failed, or "committed". */
  readonly detail: string;
}

/** What the registrar needs from its seed. */
export interface RegistrarOptions {
  /** This seed's node id (proposal ids and version origins). */
  nodeId: string;
  /** This seed's `host:port`. */
  selfKey: string;
  /** Number of seeds in the config, and the majority of them. */
  seeds: number;
  quorum: number;
  membership: Membership;
  /** Most members this seed accepts. */
  maxPeers: number;
  voteTimeoutMs: number;
  clock: Clock;
  log: EventLog;
  /** Seeds currently reachable (this one excluded). */
  connectedSeeds(): string[];
  /** Sends to every connected seed. */
  broadcast(message: Message): void;
  /** Probes a peer directly. */
  probe(peer: Address): Promise<ProbeResult>;
  /** Called after a record changed this seed's peer list. */
  onChange(record: MemberRecord, outcome: "added" | "removed"): void;
}

interface Waiter {
  promise: Promise<Decision>;
  resolve(decision: Decision): void;
  timer: TimerHandle;
}

/** Proposes, votes on and applies membership changes. */
export class Registrar {
  #options: RegistrarOptions;
  #book: ProposalBook;
  #promises = new PromiseBook();
  #waiters = new Map<string, Waiter>();
  #probes = new Map<string, Promise<ProbeResult>>();
  #seq = 0;

  /** Creates a registrar. */
  constructor(options: RegistrarOptions) {
    this.#options = options;
    this.#book = new ProposalBook({ seeds: options.seeds, quorum: options.quorum });
  }

  /**
   * Proposes a change and resolves when the seeds have decided. A proposal
   * of the same kind about the same peer already open here is joined, not
   * repeated: several reports make one decision.
   */
  propose(operation: ProposedChange): Promise<Decision> {
    const peerKey = formatAddress(operation.peer);
    const open = this.#book.find(peerKey, operation.op);
    const joined = open && this.#waiters.get(open.id);
    if (joined) return joined.promise;
    const reachable = this.#options.connectedSeeds();
    if (reachable.length + 1 < this.#options.quorum) {
      const decision = {
        accepted: false,
        yes: 0,
        needed: this.#options.quorum,
        detail: `only ${reachable.length + 1} of ${this.#options.seeds} seeds reachable`,
      };
      return Promise.resolve(decision);
    }
    const id = `${this.#options.nodeId}-${++this.#seq}`;
    const now = this.#options.clock.now();
    this.#book.open(id, operation, peerKey, now + this.#options.voteTimeoutMs);
    let resolve!: (d: Decision) => void;
    const promise = new Promise<Decision>((r) => resolve = r);
    const timer = this.#options.clock.setTimeout(
      () => this.#expire(id),
      this.#options.voteTimeoutMs,
    );
    this.#waiters.set(id, { promise, resolve, timer });
    this.#options.log.emit(
      operation.op === "add"
        ? { event: "registration_proposed", peer: peerKey, proposal: id }
        : { event: "removal_proposed", peer: peerKey, proposal: id, reason: operation.reason },
    );
    this.#options.broadcast({
      kind: "propose",
      proposalId: id,
      change: operation,
      stamp: this.#options.membership.lastStamp,
    });
    this.#decideVote(id, operation).then((vote) => this.#count(id, this.#options.selfKey, vote));
    return promise;
  }

  /** Answers another seed's proposal through `reply`. */
  async onPropose(message: ProposeMessage, reply: (message: VoteMessage) => void): Promise<void> {
    this.#options.membership.observe(message.stamp);
    const vote = await this.#decideVote(message.proposalId, message.change);
    reply({
      kind: "vote",
      proposalId: message.proposalId,
      yes: vote.yes,
      reason: vote.reason,
      stamp: this.#options.membership.lastStamp,
    });
  }

  /** Counts another seed's vote on one of this seed's proposals. */
  onVote(voter: string, message: VoteMessage): void {
    this.#options.membership.observe(message.stamp);
    this.#count(message.proposalId, voter, { yes: message.yes, reason: message.reason });
  }

  /** Applies another seed's commit. */
  onCommit(message: CommitMessage): void {
    this.#promises.release(message.proposalId);
    this.apply(message.record);
  }

  /** Forgets the promise made for an aborted proposal. */
  onAbort(proposalId: string): void {
    this.#promises.release(proposalId);
  }

  /** Merges a record (commit or sync) and reports what changed. */
  apply(record: MemberRecord): void {
    const outcome = this.#options.membership.apply(record);
    if (outcome === "added" || outcome === "removed") this.#options.onChange(record, outcome);
  }

  /**
   * Ends every open proposal (shutdown): the other seeds are told to drop
   * their promises now rather than waiting for them to expire.
   */
  stop(): void {
    for (const [id, waiter] of this.#waiters) {
      this.#options.clock.clearTimeout(waiter.timer);
      waiter.resolve({
        accepted: false,
        yes: 0,
        needed: this.#options.quorum,
        detail: "seed stopping",
      });
      this.#book.close(id);
      this.#promises.release(id);
      this.#options.broadcast({ kind: "abort", proposalId: id });
    }
    this.#waiters.clear();
  }

  async #decideVote(id: string, change: ProposedChange): Promise<Vote> {
    const key = formatAddress(change.peer);
    const now = this.#options.clock.now();
    const until = now + 2 * this.#options.voteTimeoutMs;
    if (change.op === "add") {
      // A promise binds even for a peer already listed: this seed may have
      // agreed to remove it, and must not also agree to keep it.
      if (this.#promises.conflicts(key, "add", now)) return { yes: false, reason: "being removed" };
      const member = this.#options.membership.isMember(key);
      if (!member && this.#options.membership.size >= this.#options.maxPeers) {
        return { yes: false, reason: "max_peers" };
      }
      this.#promises.promise(id, key, "add", until);
      return { yes: true, reason: member ? "already a member" : "ok" };
    }
    if (this.#promises.conflicts(key, "remove", now)) {
      return { yes: false, reason: "being registered" };
    }
    // Promise before probing: while this seed checks, it refuses to agree
    // to the opposite change, and a commit or abort that arrives meanwhile
    // releases the promise like any other.
    this.#promises.promise(id, key, "remove", until);
    const probe = await this.#probeShared(change.peer);
    if (probe.alive) {
      this.#promises.release(id);
      return { yes: false, reason: "alive: answered ping" };
    }
    return { yes: true, reason: `unreachable: ${probe.detail}` };
  }

  // One probe per peer at a time, however many proposals ask about it.
  #probeShared(peer: Address): Promise<ProbeResult> {
    const key = formatAddress(peer);
    let running = this.#probes.get(key);
    if (!running) {
      running = this.#options.probe(peer).finally(() => this.#probes.delete(key));
      this.#probes.set(key, running);
    }
    return running;
  }

  #count(id: string, voter: string, vote: Vote): void {
    const proposal = this.#book.get(id);
    // Unknown or closed proposals, and repeat votes, change nothing.
    if (!proposal || proposal.votes.has(voter)) return;
    this.#options.log.emit({
      event: "vote",
      proposal: id,
      peer: proposal.peerKey,
      voter,
      answer: vote.yes ? "yes" : "no",
      reason: vote.reason,
    });
    const standing = this.#book.vote(id, voter, vote);
    if (standing === "accepted") this.#commit(id);
    else if (standing === "rejected") this.#abort(id, this.#summary(id, "a majority voted no"));
  }

  #commit(id: string): void {
    const proposal = this.#book.close(id);
    if (!proposal) return;
    const change = proposal.operation;
    const version = this.#options.membership.nextVersion(this.#options.nodeId);
    const record: MemberRecord = change.op === "add"
      ? { address: change.peer, state: "member", version, degree: 0 }
      : { address: change.peer, state: "removed", reason: change.reason, version, degree: 0 };
    this.#promises.release(id);
    this.apply(record);
    this.#options.broadcast({ kind: "commit", proposalId: id, record });
    this.#finish(id, {
      accepted: true,
      yes: this.#yes(proposal.votes),
      needed: this.#options.quorum,
      detail: "committed",
    });
  }

  #abort(id: string, detail: string): void {
    const proposal = this.#book.close(id);
    if (!proposal) return;
    this.#promises.release(id);
    this.#options.broadcast({ kind: "abort", proposalId: id });
    const yes = this.#yes(proposal.votes);
    const event = proposal.operation.op === "add" ? "registration_rejected" : "removal_rejected";
    this.#options.log.emit({
      event,
      peer: proposal.peerKey,
      proposal: id,
      yes,
      needed: this.#options.quorum,
      detail,
    });
    this.#finish(id, { accepted: false, yes, needed: this.#options.quorum, detail });
  }

  #expire(id: string): void {
    if (this.#book.get(id)) this.#abort(id, this.#summary(id, "timed out waiting for votes"));
  }

  #finish(id: string, decision: Decision): void {
    const waiter = this.#waiters.get(id);
    if (!waiter) return;
    this.#waiters.delete(id);
    this.#options.clock.clearTimeout(waiter.timer);
    waiter.resolve(decision);
  }

  #yes(votes: Map<string, Vote>): number {
    let yes = 0;
    for (const vote of votes.values()) if (vote.yes) yes++;
    return yes;
  }

  #summary(id: string, headline: string): string {
    const proposal = this.#book.get(id);
    if (!proposal) return headline;
    const noes = [...proposal.votes].filter(([, v]) => !v.yes).map(([k, v]) => `${k}: ${v.reason}`);
    return noes.length > 0 ? `${headline} (${noes.join("; ")})` : headline;
  }
}
