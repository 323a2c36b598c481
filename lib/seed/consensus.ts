/**
 * Majority decisions among seeds, as pure bookkeeping: open proposals and
 * their votes on the proposer's side, promises on the voter's side. The
 * seed runtime moves messages; this file decides.
 *
 * Safety rests on two rules. A change commits only with yes votes from a
 * majority (⌊n/2⌋+1 of the n seeds in the config, the proposer included).
 * A seed that has voted yes to adding a peer votes no to removing it (and
 * the reverse) until that proposal ends. Any two majorities share a seed,
 * so two conflicting changes can never both commit.
 *
 * @module
 */

import type { ProposedChange } from "../protocol/membership_types.ts";

/** A vote as counted by the proposer. */
export interface Vote {
  readonly yes: boolean;
  /** Short reason, e.g. `"unreachable"`, `"alive"`, `"max_peers"`. */
  readonly reason: string;
}

/** Where a proposal stands. */
export type Tally = "pending" | "accepted" | "rejected";

/**
 * Counts votes against the quorum.
 *
 * @example Usage
 * ```ts
 * import { tally } from "./consensus.ts";
 * tally({ yes: 2, no: 0, seeds: 3, quorum: 2 }); // "accepted"
 * tally({ yes: 1, no: 2, seeds: 3, quorum: 2 }); // "rejected"
 * tally({ yes: 1, no: 1, seeds: 3, quorum: 2 }); // "pending"
 * ```
 */
export function tally(counts: { yes: number; no: number; seeds: number; quorum: number }): Tally {
  if (counts.yes >= counts.quorum) return "accepted";
  const undecided = counts.seeds - counts.yes - counts.no;
  return counts.yes + undecided < counts.quorum ? "rejected" : "pending";
}

/** An open proposal on the proposer's side. */
export interface Proposal {
  readonly id: string;
  readonly operation: ProposedChange;
  readonly peerKey: string;
  readonly votes: Map<string, Vote>;
  readonly deadline: number;
}

/**
 * Yes votes a proposal has.
 *
 * @example Usage
 * ```ts
 * import { yesVotes } from "./consensus.ts";
 * const votes = new Map([["a", { yes: true, reason: "ok" }], ["b", { yes: false, reason: "max_peers" }]]);
 * yesVotes({ votes }); // 1
 * ```
 */
export function yesVotes(proposal: Pick<Proposal, "votes">): number {
  let yes = 0;
  for (const vote of proposal.votes.values()) if (vote.yes) yes++;
  return yes;
}

/**
 * `headline`, followed by who voted no and why, for a proposal that failed.
 *
 * @example Usage
 * ```ts
 * import { summarize } from "./consensus.ts";
 * const votes = new Map([["127.0.0.1:5001", { yes: false, reason: "max_peers" }]]);
 * summarize({ votes }, "a majority voted no"); // "a majority voted no (127.0.0.1:5001: max_peers)"
 * ```
 */
export function summarize(proposal: Pick<Proposal, "votes">, headline: string): string {
  const noes = [...proposal.votes].filter(([, v]) => !v.yes).map(([k, v]) => `${k}: ${v.reason}`);
  return noes.length > 0 ? `${headline} (${noes.join("; ")})` : headline;
}

/** The proposer's open proposals. */
export class ProposalBook {
  #open = new Map<string, Proposal>();
  #seeds: number;
  #quorum: number;

  /** Tracks proposals among `seeds` seeds needing `quorum` yes votes. */
  constructor(options: { seeds: number; quorum: number }) {
    this.#seeds = options.seeds;
    this.#quorum = options.quorum;
  }

  /** Opens a proposal. */
  open(id: string, operation: ProposedChange, peerKey: string, deadline: number): Proposal {
    const proposal = { id, operation, peerKey, votes: new Map<string, Vote>(), deadline };
    this.#open.set(id, proposal);
    return proposal;
  }

  /** An open proposal by id. */
  get(id: string): Proposal | undefined {
    return this.#open.get(id);
  }

  /** The open proposal of kind `op` about `peerKey`, if any. */
  find(peerKey: string, op: ProposedChange["op"]): Proposal | undefined {
    for (const proposal of this.#open.values()) {
      if (proposal.peerKey === peerKey && proposal.operation.op === op) return proposal;
    }
    return undefined;
  }

  /**
   * Records `voter`'s vote (a voter's first vote counts; repeats are
   * ignored) and returns the proposal's standing.
   */
  vote(id: string, voter: string, vote: Vote): Tally | "unknown" {
    const proposal = this.#open.get(id);
    if (!proposal) return "unknown";
    if (!proposal.votes.has(voter)) proposal.votes.set(voter, vote);
    return this.standing(proposal);
  }

  /** Where `proposal` stands now. */
  standing(proposal: Proposal): Tally {
    let yes = 0;
    let no = 0;
    for (const v of proposal.votes.values()) v.yes ? yes++ : no++;
    return tally({ yes, no, seeds: this.#seeds, quorum: this.#quorum });
  }

  /** Closes a proposal (decided or expired). */
  close(id: string): Proposal | undefined {
    const proposal = this.#open.get(id);
    this.#open.delete(id);
    return proposal;
  }

  /** Number of open proposals. */
  get size(): number {
    return this.#open.size;
  }
}

/** A voter's yes vote that still binds it. */
interface Promise_ {
  readonly op: ProposedChange["op"];
  readonly until: number;
}

/**
 * The voter's side: which peers it has promised an add or a remove for, so
 * it refuses the opposite change until the promise ends.
 */
export class PromiseBook {
  #byPeer = new Map<string, Map<string, Promise_>>();
  #peerOf = new Map<string, string>();

  /** Reports whether promising `op` for `peerKey` would conflict. */
  conflicts(peerKey: string, op: ProposedChange["op"], now: number): boolean {
    const promises = this.#byPeer.get(peerKey);
    if (!promises) return false;
    for (const [id, promise] of promises) {
      if (promise.until <= now) {
        promises.delete(id);
        this.#peerOf.delete(id);
        continue;
      }
      if (promise.op !== op) return true;
    }
    return false;
  }

  /** Records a yes vote for proposal `id` until `until` (or its release). */
  promise(id: string, peerKey: string, op: ProposedChange["op"], until: number): void {
    let promises = this.#byPeer.get(peerKey);
    if (!promises) this.#byPeer.set(peerKey, promises = new Map());
    promises.set(id, { op, until });
    this.#peerOf.set(id, peerKey);
  }

  /** Ends the promise made for proposal `id` (it committed or aborted). */
  release(id: string): void {
    const peerKey = this.#peerOf.get(id);
    if (peerKey === undefined) return;
    this.#peerOf.delete(id);
    const promises = this.#byPeer.get(peerKey);
    if (!promises) return;
    promises.delete(id);
    if (promises.size === 0) this.#byPeer.delete(peerKey);
  }
}
