/**
 * Separate hosts for tests, made of Linux network namespaces: each host is a
 * namespace with one interface (`eth0`) and its own address, cabled by a
 * veth pair to a switch, a bridge that lives in a namespace of its own. The
 * root namespace is never touched, so a lab reaches nothing outside itself
 * and two labs (or two test runs) never see each other.
 *
 * A lab can pull a host's cable ({@linkcode NetnsLab.cut}), drop traffic
 * between two hosts with blackhole routes ({@linkcode NetnsLab.blackhole})
 * and split the switch in two ({@linkcode NetnsLab.partition}): silent
 * losses, as on a real network, not refused connections.
 *
 * Namespaces are named `gnt-<pid>-<run>-…` after the test process that made
 * them; a lab created later deletes those whose process is gone (a crashed
 * run). Needs root and iproute2; {@linkcode netnsSkipReason} says why not.
 *
 * @module
 */

/** Prefix of every namespace a lab makes. */
export const NETNS_PREFIX = "gnt";

/** One host of a lab. */
export interface LabHost {
  /** Position in the lab, from 0. */
  readonly index: number;
  /** Its network namespace. */
  readonly netns: string;
  /** Its IPv4 address on the lab's subnet. */
  readonly address: string;
  /** Its IPv6 address (canonical form), in a lab made with `ipv6`. */
  readonly address6?: string;
  /** Its switch port (the veth end in the switch namespace). */
  readonly switchPort: string;
}

/** Options for {@linkcode NetnsLab.create}. */
export interface LabOptions {
  /** Number of hosts, 1-250. */
  hosts: number;
  /** Also give every host an address on a random private IPv6 /64. @default {false} */
  ipv6?: boolean;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: readonly string[]): Promise<Outcome> {
  const output = await new Deno.Command(command, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

/** Runs `ip ...args`; throws with its stderr when it fails. */
async function ip(...args: string[]): Promise<string> {
  const outcome = await run("ip", args);
  if (outcome.code !== 0) {
    throw new Error(`ip ${args.join(" ")} failed (${outcome.code}): ${outcome.stderr.trim()}`);
  }
  return outcome.stdout;
}

let skipReason: Promise<string | undefined> | undefined;

/**
 * Why namespace labs cannot be made here, or `undefined` when they can
 * (Linux, root, `ip` on PATH, and a namespace really created and deleted).
 */
export function netnsSkipReason(): Promise<string | undefined> {
  skipReason ??= (async () => {
    if (Deno.build.os !== "linux") {
      return `network namespaces need Linux (this is ${Deno.build.os})`;
    }
    if (Deno.uid() !== 0) return "network namespaces need root (run the tests as root, as CI does)";
    const probe = `${NETNS_PREFIX}-${Deno.pid}-probe-${crypto.randomUUID().slice(0, 8)}`;
    try {
      const added = await run("ip", ["netns", "add", probe]);
      if (added.code !== 0) return `cannot create a network namespace: ${added.stderr.trim()}`;
      await run("ip", ["netns", "del", probe]);
      return undefined;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return "the ip command (iproute2) is not installed";
      }
      return `cannot run ip: ${error instanceof Error ? error.message : error}`;
    }
  })();
  return skipReason;
}

/**
 * For `Deno.test({ ignore })`: true, after saying why on stderr, when
 * namespace labs cannot be made here. `module` is the test file's
 * `import.meta.url`, named in the message.
 */
export async function ignoreWithoutNetns(module: string): Promise<boolean> {
  const reason = await netnsSkipReason();
  if (reason === undefined) return false;
  const file = new URL(module).pathname.split("/").slice(-3).join("/");
  // deno-lint-ignore no-console -- a skipped test says why.
  console.warn(`${file} skipped: ${reason}`);
  return true;
}

function processAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Deletes namespaces of this prefix whose test process is gone; returns their names. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const listing = await ip("netns", "list");
  const stale: string[] = [];
  for (const line of listing.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const owner = new RegExp(`^${NETNS_PREFIX}-(\\d+)-`).exec(name);
    if (!owner || processAlive(Number(owner[1]))) continue;
    // Another lab may be cleaning the same one at this moment.
    if ((await run("ip", ["netns", "del", name])).code === 0) stale.push(name);
  }
  return stale;
}

let labsMade = 0;

/** A set of hosts on one switch; dispose it to remove every namespace it made. */
export class NetnsLab implements AsyncDisposable {
  /** Namespace of the switch (two bridges: `br0`, and `br1` for partitions). */
  readonly switchNetns: string;
  /** The hosts, in index order. */
  readonly hosts: readonly LabHost[];
  /** The subnet, e.g. `10.87.3.0/24`. */
  readonly subnet: string;
  #made: string[] = [];
  #blackholes = new Set<string>();

  private constructor(switchNetns: string, hosts: LabHost[], subnet: string) {
    this.switchNetns = switchNetns;
    this.hosts = hosts;
    this.subnet = subnet;
  }

  /**
   * Makes a switch and `hosts` hosts on a random private /24.
   * @throws {Error} When a namespace or link cannot be made (everything made is removed).
   */
  static async create(options: LabOptions): Promise<NetnsLab> {
    if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > 250) {
      throw new Error(`A lab has 1-250 hosts, not ${options.hosts}`);
    }
    await removeStaleNamespaces();
    const run = `${Deno.pid}-${crypto.randomUUID().slice(0, 6)}${++labsMade}`;
    // Any private /24 works (the switch is reachable from nowhere else);
    // a random one per run keeps logs of different runs apart.
    const net = `10.${16 + Math.floor(Math.random() * 224)}.${Math.floor(Math.random() * 256)}`;
    const hex = () => Math.floor(Math.random() * 0x10000).toString(16);
    const net6 = `fd${
      Math.floor(Math.random() * 256).toString(16).padStart(2, "0")
    }:${hex()}:${hex()}`;
    const switchNetns = `${NETNS_PREFIX}-${run}-sw`;
    const hosts = Array.from({ length: options.hosts }, (_, i): LabHost => ({
      index: i,
      netns: `${NETNS_PREFIX}-${run}-h${i}`,
      address: `${net}.${i + 1}`,
      ...(options.ipv6 ? { address6: `${net6}::${(i + 1).toString(16)}` } : {}),
      switchPort: `p${i}`,
    }));
    const lab = new NetnsLab(switchNetns, hosts, `${net}.0/24`);
    try {
      await lab.#makeSwitch();
      await Promise.all(hosts.map((host) => lab.#makeHost(host)));
    } catch (error) {
      await lab[Symbol.asyncDispose]();
      throw error;
    }
    return lab;
  }

  async #addNetns(name: string): Promise<void> {
    await ip("netns", "add", name);
    this.#made.push(name);
    await ip("-n", name, "link", "set", "lo", "up");
  }

  async #makeSwitch(): Promise<void> {
    await this.#addNetns(this.switchNetns);
    for (const bridge of ["br0", "br1"]) {
      await ip("-n", this.switchNetns, "link", "add", bridge, "type", "bridge");
      await ip("-n", this.switchNetns, "link", "set", bridge, "up");
    }
  }

  async #makeHost(host: LabHost): Promise<void> {
    await this.#addNetns(host.netns);
    const sw = this.switchNetns;
    await ip(
      ...["-n", sw, "link", "add", host.switchPort, "type", "veth"],
      ...["peer", "name", "eth0", "netns", host.netns],
    );
    await ip("-n", sw, "link", "set", host.switchPort, "master", "br0", "up");
    await ip("-n", host.netns, "addr", "add", `${host.address}/24`, "dev", "eth0");
    if (host.address6) {
      // nodad: usable at once, not after duplicate address detection (a second or two).
      await ip(
        "-n",
        host.netns,
        "-6",
        "addr",
        "add",
        `${host.address6}/64`,
        "dev",
        "eth0",
        "nodad",
      );
    }
    await ip("-n", host.netns, "link", "set", "eth0", "up");
  }

  /** The argv prefix that runs a command on `host`. */
  launcher(host: LabHost): string[] {
    return ["ip", "netns", "exec", host.netns];
  }

  /** Pulls `host`'s cable: its switch port goes down, and every packet to or from it is lost. */
  async cut(host: LabHost): Promise<void> {
    await ip("-n", this.switchNetns, "link", "set", host.switchPort, "down");
  }

  /** Plugs `host`'s cable back in. */
  async restore(host: LabHost): Promise<void> {
    await ip("-n", this.switchNetns, "link", "set", host.switchPort, "up");
  }

  /**
   * Drops everything between `a` and `b` (a blackhole route on each to the
   * other); the rest of the lab still reaches both.
   */
  async blackhole(a: LabHost, b: LabHost): Promise<void> {
    await ip("-n", a.netns, "route", "add", "blackhole", `${b.address}/32`);
    this.#blackholes.add(`${a.index}>${b.index}`);
    await ip("-n", b.netns, "route", "add", "blackhole", `${a.address}/32`);
    this.#blackholes.add(`${b.index}>${a.index}`);
  }

  /** Removes the blackhole routes between `a` and `b`. */
  async unblackhole(a: LabHost, b: LabHost): Promise<void> {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      if (!this.#blackholes.delete(`${from.index}>${to.index}`)) continue;
      await ip("-n", from.netns, "route", "del", "blackhole", `${to.address}/32`);
    }
  }

  /**
   * Splits the switch: `side` moves to a second bridge, so it reaches only
   * itself and the rest only the rest. Packets across are lost silently.
   */
  async partition(side: readonly LabHost[]): Promise<void> {
    for (const host of side) {
      await ip("-n", this.switchNetns, "link", "set", host.switchPort, "master", "br1");
    }
  }

  /** Puts every host back on one bridge. */
  async heal(): Promise<void> {
    for (const host of this.hosts) {
      await ip("-n", this.switchNetns, "link", "set", host.switchPort, "master", "br0");
    }
  }

  /** Deletes every namespace this lab made (their interfaces and routes go with them). */
  async [Symbol.asyncDispose](): Promise<void> {
    const made = this.#made.splice(0);
    await Promise.all(made.map((name) => run("ip", ["netns", "del", name])));
  }
}
