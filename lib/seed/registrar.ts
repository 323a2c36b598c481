/**
 * Membership changes decided by a majority of seeds: the runtime around the
 * pure books in `consensus.ts`. It proposes changes, votes on the others'
 * proposals, and commits or aborts. It takes nobody's word: it votes on its
 * own probe of the peer (`change_checks.ts`), and applies a change another
 * seed committed or synced only once its own probe agrees.
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
import { ABSTAIN, ChangeChecks } from "./change_checks.ts";
import { ProposalBook, summarize, type Vote, yesVotes } from "./consensus.ts";
import type { Membership } from "./membership.ts";
import { type RecordContext, stampProblem } from "./record_check.ts";
import { RecordGate } from "./record_gate.ts";
import { Voter } from "./voter.ts";

/** How a proposal ended. */
export interface Decision {
  readonly accepted: boolean;
  readonly yes: number;
  readonly needed: number;
  /** One line: why it failed, or "committed". */
  readonly detail: string;
}

/** A removal: the kind of change that can stall for want of seeds. */
export type Removal = Extract<ProposedChange, { op: "remove" }>;

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
  /** The seeds' and this seed's addresses, which no peer may hold. */
  records: RecordContext;
  /** Most a version stamp may run ahead of this seed's clock (`MAX_CLOCK_SKEW_MS`). */
  skewMs: number;
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
  /** A removal could not reach a majority for want of seeds (not because the peer answered). */
  onStalled?(removal: Removal): void;
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
  #voter: Voter;
  /** When each other seed's proposal arrived here: its commit is checked by probes since. */
  #seen = new Map<string, number>();
  #waiters = new Map<string, Waiter>();
  #checks: ChangeChecks;
  #gate: RecordGate;
  #seq = 0;

  /** Creates a registrar. */
  constructor(options: RegistrarOptions) {
    this.#options = options;
    this.#book = new ProposalBook({ seeds: options.seeds, quorum: options.quorum });
    this.#checks = new ChangeChecks({ probe: options.probe, clock: options.clock });
    this.#gate = new RecordGate({
      membership: options.membership,
      checks: this.#checks,
      records: options.records,
      skewMs: options.skewMs,
      clock: options.clock,
      log: options.log,
      apply: (record) => this.apply(record),
    });
    this.#voter = new Voter({
      membership: options.membership,
      checks: this.#checks,
      gate: this.#gate,
      maxPeers: options.maxPeers,
      voteTimeoutMs: options.voteTimeoutMs,
      clock: options.clock,
    });
  }

  /** The shared probes (registration checks and re-checks use them too). */
  get checks(): ChangeChecks {
    return this.#checks;
  }

  /** Why `address` cannot be a peer's (a seed's address, this seed's), or `undefined`. */
  addressProblem(address: Address): string | undefined {
    return this.#gate.addressProblem(address);
  }

  /**
   * Proposes a change and resolves when the seeds have decided. A proposal
   * of the same kind about the same peer already open here is joined, not
   * repeated: several reports make one decision. For an add, `nodeId` is
   * the registrant's: this seed's own vote needs that node to answer at the
   * address.
   */
  propose(operation: ProposedChange, evidence: { nodeId?: string } = {}): Promise<Decision> {
    const peerKey = formatAddress(operation.peer);
    const open = this.#book.find(peerKey, operation.op);
    const joined = open && this.#waiters.get(open.id);
    if (joined) return joined.promise;
    const reachable = this.#options.connectedSeeds();
    if (reachable.length + 1 < this.#options.quorum) {
      const detail = `only ${reachable.length + 1} of ${this.#options.seeds} seeds reachable`;
      if (operation.op === "remove") this.#stalled(operation, detail);
      return Promise.resolve({ accepted: false, yes: 0, needed: this.#options.quorum, detail });
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
    this.#voter.decide(id, operation, evidence.nodeId).then((vote) =>
      this.#count(id, this.#options.selfKey, vote)
    );
    return promise;
  }

  /** Answers seed `from`'s proposal through `reply`. */
  async onPropose(
    message: ProposeMessage,
    reply: (message: VoteMessage) => void,
    from = "another seed",
  ): Promise<void> {
    if (!this.#stampOk(message.stamp, from, "propose")) return;
    this.#options.membership.observe(message.stamp);
    this.#seen.set(message.proposalId, this.#options.clock.now());
    if (this.#seen.size > 4096) this.#seen.delete(this.#seen.keys().next().value as string);
    const vote = await this.#voter.decide(message.proposalId, message.change);
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
    if (!this.#stampOk(message.stamp, voter, "vote")) return;
    this.#options.membership.observe(message.stamp);
    this.#count(message.proposalId, voter, { yes: message.yes, reason: message.reason });
  }

  /** Applies seed `from`'s commit, once this seed's own check agrees. */
  onCommit(message: CommitMessage, from = "another seed"): Promise<void> {
    this.#voter.release(message.proposalId);
    const since = this.#seen.get(message.proposalId) ?? this.#options.clock.now();
    this.#seen.delete(message.proposalId);
    return this.#gate.admit(message.record, "commit", from, since);
  }

  /**
   * Merges a record synced from seed `from`, once this seed's own check
   * agrees; `undefined` (nothing to wait for) when this seed already holds
   * that version or a newer one.
   */
  onSynced(record: MemberRecord, from: string): Promise<void> | undefined {
    if (this.#gate.holds(record)) return undefined;
    return this.#gate.admit(record, "sync", from);
  }

  /** Forgets the promise made for an aborted proposal. */
  onAbort(proposalId: string): void {
    this.#voter.release(proposalId);
    this.#seen.delete(proposalId);
  }

  /** Merges a record this seed decided itself and reports what changed. */
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
      this.#voter.release(id);
      this.#options.broadcast({ kind: "abort", proposalId: id });
    }
    this.#waiters.clear();
  }

  #stampOk(stamp: number, from: string, what: string): boolean {
    const problem = stampProblem(stamp, this.#options.clock.now(), this.#options.skewMs);
    if (problem === undefined) return true;
    this.#options.log.emit({ event: "stamp_rejected", remote: from, what, detail: problem });
    return false;
  }

  #count(id: string, voter: string, vote: Vote): void {
    const proposal = this.#book.get(id);
    // Unknown or closed proposals, and repeat votes, change nothing.
    if (!proposal || proposal.votes.has(voter)) return;
    const abstains = !vote.yes && vote.reason.startsWith(ABSTAIN);
    this.#options.log.emit({
      event: "vote",
      proposal: id,
      peer: proposal.peerKey,
      voter,
      answer: vote.yes ? "yes" : abstains ? "abstain" : "no",
      reason: vote.reason,
    });
    const standing = this.#book.vote(id, voter, vote);
    // Only this seed heard the registrant: the others can check that a peer
    // answers at the address, but not that it is the registrant. A
    // registration therefore needs this seed's own yes, besides the majority.
    if (proposal.operation.op === "add") {
      const own = proposal.votes.get(this.#options.selfKey);
      if (!own && standing === "accepted") return;
      if (own && !own.yes && standing !== "rejected") {
        return this.#abort(id, this.#summaryOf(id, "this seed's own check failed"));
      }
    }
    if (standing === "accepted") this.#commit(id);
    else if (standing === "rejected") this.#abort(id, this.#summaryOf(id, "a majority voted no"));
  }

  #commit(id: string): void {
    const proposal = this.#book.close(id);
    if (!proposal) return;
    const change = proposal.operation;
    const version = this.#options.membership.nextVersion(this.#options.nodeId);
    const record: MemberRecord = change.op === "add"
      ? { address: change.peer, state: "member", version, degree: 0 }
      : { address: change.peer, state: "removed", reason: change.reason, version, degree: 0 };
    this.#voter.release(id);
    this.apply(record);
    this.#options.broadcast({ kind: "commit", proposalId: id, record });
    this.#finish(id, {
      accepted: true,
      yes: yesVotes(proposal),
      needed: this.#options.quorum,
      detail: "committed",
    });
  }

  #abort(id: string, detail: string): void {
    const proposal = this.#book.close(id);
    if (!proposal) return;
    this.#voter.release(id);
    this.#options.broadcast({ kind: "abort", proposalId: id });
    const yes = yesVotes(proposal);
    const change = proposal.operation;
    // Nobody found the peer alive: the removal failed for want of voters
    // (seeds down, or abstaining), not on evidence. It is retried later.
    const answered = [...proposal.votes.values()].some((v) => v.reason.startsWith("alive"));
    const common = {
      peer: proposal.peerKey,
      proposal: id,
      yes,
      needed: this.#options.quorum,
      detail,
    };
    this.#options.log.emit(
      change.op === "add"
        ? { event: "registration_rejected", ...common }
        : { event: "removal_rejected", ...common, alive: answered },
    );
    if (change.op === "remove" && !answered) this.#stalled(change, detail);
    this.#finish(id, { accepted: false, yes, needed: this.#options.quorum, detail });
  }

  #stalled(removal: Removal, detail: string): void {
    const peer = formatAddress(removal.peer);
    if (!this.#options.membership.isMember(peer)) return;
    this.#options.log.emit({ event: "removal_stalled", peer, detail });
    this.#options.onStalled?.(removal);
  }

  #summaryOf(id: string, headline: string): string {
    const proposal = this.#book.get(id);
    return proposal ? summarize(proposal, headline) : headline;
  }

  #expire(id: string): void {
    if (this.#book.get(id)) this.#abort(id, this.#summaryOf(id, "timed out waiting for votes"));
  }

  #finish(id: string, decision: Decision): void {
    const waiter = this.#waiters.get(id);
    if (!waiter) return;
    this.#waiters.delete(id);
    this.#options.clock.clearTimeout(waiter.timer);
    waiter.resolve(decision);
  }
}
