#!/usr/bin/env python3
"""Runs one benchmark phase: one or more wrk processes at once, measured.

While wrk runs it samples the server's resident memory every 200 ms; around
the run it takes the CPU time of the server(s), of PostgreSQL (the postmaster
and all its children), of the proxy (nginx master and workers) and of wrk
itself, and the machine's total and steal time from /proc/stat. What the
machine spent beyond those processes, apart from softirq time (loopback
networking, charged to no process), is "other" (noise: builds, the rest of
the system). CPU figures are a share of all cores: 100 % = every core busy.

It appends one JSON line per phase to --out and prints a one-line summary.

  measure.py --out R.jsonl --store sqlite --phase me --kind peak --seconds 12 \
      --server-pid 123 [--server-pid 456] [--postgres-pid 789] [--proxy-pid 42] \
      --load name=me,script=me.lua,threads=2,connections=32,data=/tmp/tokens,url=http://127.0.0.1:9000/ \
      [--load ...]  [--rate-share 0.8]  # sustain: each load at 0.8 x its rate in the last peak

A load with bounded=1 (mfa) sends a fixed set and stops early: wrk is
interrupted once every thread has reported its last answer, and its rate is
taken over its own span.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
WRK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wrk")
SAMPLE_SECONDS = 0.2


def process_ticks(pid):
    """utime + stime of a process (all its threads), in clock ticks; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), counted after "comm"


def children_of(parent):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


def tree_ticks(root):
    """pid -> ticks of a process and its direct children (PostgreSQL's backends, nginx's workers)."""
    ticks = {}
    for pid in [root] + children_of(root):
        value = process_ticks(pid)
        if value is not None:
            ticks[pid] = value
    return ticks


def tree_delta(before, after):
    # A process that appeared during the phase counts from zero; one that ended is lost (rare: pools).
    return sum(value - before.get(pid, 0) for pid, value in after.items())


def machine_ticks():
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    # softirq apart: loopback networking runs there and is charged to no process.
    return {"busy": user + nice + system + irq, "softirq": softirq, "steal": steal}


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def parse_load(spec):
    load = dict(item.split("=", 1) for item in spec.split(","))
    for key in ("name", "script", "url"):
        if key not in load:
            sys.exit(f"measure.py: --load needs {key}=")
    load.setdefault("threads", "2")
    load.setdefault("connections", "32")
    load.setdefault("data", "")
    load["bounded"] = load.get("bounded", "0") == "1"
    return load


def last_peak_rates(out_path, store, phase):
    rates = None
    with open(out_path) as results:
        for line in results:
            record = json.loads(line)
            if record["store"] == store and record["phase"] == phase and record["kind"] == "peak":
                rates = {name: load["rps"] for name, load in record["loads"].items()}
    if rates is None:
        sys.exit(f"measure.py: no peak of {store}/{phase} in {out_path} to take a share of")
    return rates


def start_wrk(load, seconds, rate, workdir, run_id):
    env = dict(os.environ)
    env.update({
        "LUA_PATH": f"{WRK_DIR}/?.lua;;",
        "BENCH_DATA": load["data"],
        "BENCH_THREADS": load["threads"],
        "BENCH_RATE": f"{rate:.3f}" if rate else "0",
        "BENCH_RUN_ID": run_id,
        "BENCH_DONE_FILE": os.path.join(workdir, f"{load['name']}.done") if load["bounded"] else "",
    })
    # A bounded load runs until its set is spent; -d is only its upper bound.
    duration = max(seconds, 120) if load["bounded"] else seconds
    command = ["wrk", "-t", load["threads"], "-c", load["connections"], "-d", f"{duration}s", "--latency",
               "--timeout", "5s", "-s", os.path.join(WRK_DIR, load["script"]), load["url"]]
    output = open(os.path.join(workdir, f"{load['name']}.out"), "w+")
    process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    return {"load": load, "process": process, "output": output, "rusage": None, "command": command}


def finished_threads(run, workdir):
    try:
        with open(os.path.join(workdir, f"{run['load']['name']}.done")) as done:
            return len(done.read().split())
    except OSError:
        return 0


def result_of(run, rate):
    run["output"].seek(0)
    text = run["output"].read()
    marker = [line for line in text.splitlines() if line.startswith("BENCH_RESULT ")]
    if not marker:
        sys.exit(f"measure.py: wrk gave no result for {run['load']['name']}:\n{text}")
    result = json.loads(marker[-1][len("BENCH_RESULT "):])
    span = result["span_s"] if run["load"]["bounded"] else result["duration_s"]
    completed = result["ok_2xx"] + result["busy_503"] + result["other_non_2xx"]
    result["rps"] = completed / span if span > 0 else 0.0
    result["target_rps"] = rate
    result["threads"] = int(run["load"]["threads"])
    result["connections"] = int(run["load"]["connections"])
    result["socket_error_count"] = sum(result["socket_errors"].values())
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--phase", required=True)
    parser.add_argument("--kind", choices=["peak", "sustain"], required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--server-pid", type=int, action="append", required=True)
    parser.add_argument("--postgres-pid", type=int)
    parser.add_argument("--proxy-pid", type=int)
    parser.add_argument("--load", action="append", required=True, type=parse_load)
    parser.add_argument("--rate-share", type=float, default=0.0, help="sustain: this share of each load's peak rate")
    args = parser.parse_args()

    rates = {load["name"]: 0.0 for load in args.load}
    if args.kind == "sustain":
        peak = last_peak_rates(args.out, args.store, args.phase)
        rates = {name: args.rate_share * peak[name] for name in rates}

    workdir = tempfile.mkdtemp(prefix="sesame-bench-measure.")
    run_id = f"{args.store}-{args.phase}-{args.kind}-{int(time.time())}"
    server_before = {pid: process_ticks(pid) or 0 for pid in args.server_pid}
    postgres_before = tree_ticks(args.postgres_pid) if args.postgres_pid else {}
    proxy_before = tree_ticks(args.proxy_pid) if args.proxy_pid else {}
    machine_before = machine_ticks()
    started = time.monotonic()

    runs = [start_wrk(load, args.seconds, rates[load["name"]], workdir, run_id) for load in args.load]
    rss_peak = {pid: rss_mib(pid) for pid in args.server_pid}
    while any(run["rusage"] is None for run in runs):
        time.sleep(SAMPLE_SECONDS)
        for pid in args.server_pid:
            rss_peak[pid] = max(rss_peak[pid], rss_mib(pid))
        for run in runs:
            if run["rusage"] is not None:
                continue
            pid, _, rusage = os.wait4(run["process"].pid, os.WNOHANG)
            if pid:
                run["rusage"] = rusage
                run["process"].returncode = 0
            elif run["load"]["bounded"] and finished_threads(run, workdir) >= int(run["load"]["threads"]):
                run["process"].send_signal(signal.SIGINT)  # wrk then prints its report and calls done()

    elapsed = time.monotonic() - started
    machine_after = machine_ticks()
    server_ticks = sum((process_ticks(pid) or server_before[pid]) - server_before[pid] for pid in args.server_pid)
    postgres_ticks = tree_delta(postgres_before, tree_ticks(args.postgres_pid)) if args.postgres_pid else 0
    proxy_ticks = tree_delta(proxy_before, tree_ticks(args.proxy_pid)) if args.proxy_pid else 0
    wrk_ticks = sum((run["rusage"].ru_utime + run["rusage"].ru_stime) * TICKS_PER_SECOND for run in runs)

    capacity = elapsed * TICKS_PER_SECOND * CORES / 100  # ticks that make 1 % of all cores

    def share(ticks):
        return round(ticks / capacity, 1)

    busy = machine_after["busy"] - machine_before["busy"]
    record = {
        "store": args.store,
        "phase": args.phase,
        "kind": args.kind,
        "seconds": round(elapsed, 2),
        "loads": {run["load"]["name"]: result_of(run, rates[run["load"]["name"]]) for run in runs},
        "cpu_percent_of_cores": {
            "server": share(server_ticks),
            "postgres": share(postgres_ticks),
            "proxy": share(proxy_ticks),
            "wrk": share(wrk_ticks),
            "other": share(max(0, busy - server_ticks - postgres_ticks - proxy_ticks - wrk_ticks)),
            "softirq": share(machine_after["softirq"] - machine_before["softirq"]),
            "steal": share(machine_after["steal"] - machine_before["steal"]),
        },
        "cores": CORES,
        "server_rss_peak_mib": round(max(rss_peak.values()), 1),
        "wrk_commands": [" ".join(run["command"]) for run in runs],
    }
    for run in runs:
        run["output"].close()
    for name in os.listdir(workdir):
        os.unlink(os.path.join(workdir, name))
    os.rmdir(workdir)

    with open(args.out, "a") as out:
        out.write(json.dumps(record) + "\n")
    cpu = record["cpu_percent_of_cores"]
    for name, load in record["loads"].items():
        target = f" (target {load['target_rps']:.0f}/s)" if load["target_rps"] else ""
        print(f"    {args.store:8} {args.phase:14} {args.kind:7} {name:8} {load['rps']:9.0f} req/s{target}  "
              f"p50 {load['latency_ms']['p50']:.2f} ms  p99 {load['latency_ms']['p99']:.2f} ms  "
              f"non-2xx {load['busy_503']}+{load['other_non_2xx']}  socket errors {load['socket_error_count']}")
    print(f"    {'':8} {'':14} {'':7} cpu % of {CORES} cores: server {cpu['server']}  postgres {cpu['postgres']}  "
          f"proxy {cpu['proxy']}  wrk {cpu['wrk']}  softirq {cpu['softirq']}  other {cpu['other']}  steal {cpu['steal']}  "
          f"server rss peak {record['server_rss_peak_mib']} MiB")


if __name__ == "__main__":
    main()
