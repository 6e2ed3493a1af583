#!/usr/bin/env python3
"""Turns bench/run.sh's measurements into bench/RESULTS.md, bench/results.png
(through gnuplot) and the same summary on stdout.

  report.py --results bench/results.jsonl --micro bench/micro.json --bench-dir bench [--setting KEY=VALUE ...]

results.jsonl holds one line per run (measure.py); micro.json is Google
Benchmark's JSON output of sesame-micro-bench. run.sh keeps both in bench/,
so the report can be made again from them.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import subprocess

PHASES = [  # (phase, load, label)
    ("jwks", "jwks", "jwks.json"),
    ("me", "me", "me"),
    ("refresh", "refresh", "refresh"),
    ("signin", "signin", "sign-in"),
    ("mfa", "mfa", "mfa/verify"),
    ("register", "register", "register"),
    ("me_under_signin", "me", "me, sign-ins saturating"),
    ("me_under_signin", "signin", "sign-in, with me"),
]
STORES = [("sqlite", "SQLite"), ("postgres", "PostgreSQL"), ("nginx", "nginx, 2 × PG")]
RSS_LIMIT_MIB = 64


def command_output(*command):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        memory_kib = int(meminfo.readline().split()[1])
    with open("/proc/cpuinfo") as cpuinfo:
        hypervisor = " hypervisor" in cpuinfo.read()
    virtualisation = ", ".join(filter(None, [
        f"systemd-detect-virt: {command_output('systemd-detect-virt')}",
        "a virtual machine (the cpuinfo hypervisor flag)" if hypervisor else ""]))
    return {
        "CPU": model,
        "cores": str(os.cpu_count()),
        "memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "kernel": f"{platform.system()} {platform.release()}",
        "virtualisation": virtualisation,
    }


def versions(root):
    commit = command_output("git", "-C", root, "rev-parse", "--short", "HEAD")
    # The run's own outputs do not count as changes to what was measured.
    outputs = [":!bench/RESULTS.md", ":!bench/results.*", ":!bench/micro.json"]
    if subprocess.run(["git", "-C", root, "diff", "--quiet", "HEAD", "--", "."] + outputs,
                      capture_output=True).returncode != 0:
        commit += " (with uncommitted changes)"
    postgres = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return {
        "git commit": commit,
        "compiler": command_output("c++", "--version"),
        "SQLite": command_output("pkg-config", "--modversion", "sqlite3"),
        "PostgreSQL": command_output(postgres[-1], "--version") if postgres else "not installed",
        "wrk": command_output("wrk", "-v").split(" Copyright")[0],
        "nginx": command_output("/usr/sbin/nginx", "-v"),
        "libsodium": command_output("pkg-config", "--modversion", "libsodium"),
        "Pistache": command_output("pkg-config", "--modversion", "libpistache"),
        "Google Benchmark": command_output("pkg-config", "--modversion", "benchmark"),
    }


def micro_results(path):
    with open(path) as file:
        document = json.load(file)
    by_name = {b["name"]: b for b in document["benchmarks"]}

    def milliseconds(benchmark, field):
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[benchmark["time_unit"]]
        return benchmark[field] * scale

    one = by_name["BM_PasswordHash/real_time/threads:1"]
    two = by_name.get("BM_PasswordHash/real_time/threads:2")
    return {
        "hash_real_ms": milliseconds(one, "real_time"),
        "hash_cpu_ms": milliseconds(one, "cpu_time"),
        "hash_two_threads_ms": milliseconds(two, "real_time") if two else None,
        "memory_kib": int(one.get("memory_kib", 0)),
        "argon2_t": int(one.get("argon2_t", 0)),
        "sign_us": milliseconds(by_name["BM_AccessTokenSign"], "cpu_time") * 1000,
        "verify_us": milliseconds(by_name["BM_AccessTokenVerify"], "cpu_time") * 1000,
        "totp_us": milliseconds(by_name["BM_TotpVerify"], "cpu_time") * 1000,
        "library_build_type": document["context"].get("library_build_type", "unknown"),
        "load_avg": document["context"].get("load_avg", []),
    }


def index_records(path):
    records = {}
    with open(path) as file:
        for line in file:
            record = json.loads(line)
            records[(record["store"], record["phase"], record["kind"])] = record
    return records


def failures(load):
    return load["busy_503"] + load["other_non_2xx"] + load["socket_error_count"]


class Report:
    def __init__(self, records, micro, settings):
        self.records = records
        self.micro = micro
        self.settings = settings
        self.cores = next(iter(records.values()))["cores"] if records else os.cpu_count()
        # CPU time, not wall time: on a busy machine the wall time of one hash
        # includes waiting for a core, which would lower the ceiling.
        self.ceiling = self.cores * 1000 / micro["hash_cpu_ms"]

    def load(self, store, phase, name, kind="peak"):
        record = self.records.get((store, phase, kind))
        return record["loads"].get(name) if record else None

    def peak_table(self):
        lines = ["| phase | " + " | ".join(f"{label} req/s | p50 ms | p99 ms" for _, label in STORES) + " |",
                 "| --- |" + " ---: | ---: | ---: |" * len(STORES)]
        for phase, name, label in PHASES:
            cells = []
            for store, _ in STORES:
                load = self.load(store, phase, name)
                cells += [f"{load['rps']:,.0f}", f"{load['latency_ms']['p50']:.2f}",
                          f"{load['latency_ms']['p99']:.2f}"] if load else ["–", "–", "–"]
            if any(cell != "–" for cell in cells):
                lines.append(f"| {label} | " + " | ".join(cells) + " |")
        return lines

    def run_table(self):
        lines = ["| store | phase | run | load | req/s | target req/s | p50 ms | p99 ms | 503+Retry-After | other non-2xx "
                 "| socket errors | server CPU | PostgreSQL CPU | nginx CPU | wrk CPU | softirq | other CPU | steal "
                 "| server RSS peak MiB | s |",
                 "| --- | --- | --- | --- |" + " ---: |" * 16]
        for (store, phase, kind), record in self.records.items():
            cpu = record["cpu_percent_of_cores"]
            for name, load in record["loads"].items():
                target = f"{load['target_rps']:,.0f}" if load["target_rps"] else ""
                lines.append(
                    f"| {store} | {phase} | {kind} | {name} | {load['rps']:,.0f} | {target} | "
                    f"{load['latency_ms']['p50']:.2f} | {load['latency_ms']['p99']:.2f} | {load['busy_503']} | "
                    f"{load['other_non_2xx']} | {load['socket_error_count']} | {cpu['server']} % | {cpu['postgres']} % | "
                    f"{cpu['proxy']} % | {cpu['wrk']} % | {cpu['softirq']} % | {cpu['other']} % | {cpu['steal']} % | "
                    f"{record['server_rss_peak_mib']} | {record['seconds']} |")
        return lines

    def targets(self):
        """(target, store, measured, met) rows; met is None when the phase did not run."""
        rows = []

        def add(target, store, load, measured, test):
            rows.append((target, store, measured(load) if load else "not run", test(load) if load else None))

        for store in ("sqlite", "postgres"):
            add("sign-in ≥ 90 % of the hash ceiling", store, self.load(store, "signin", "signin"),
                lambda l: f"{l['rps']:,.0f}/s = {100 * l['rps'] / self.ceiling:.0f} % of {self.ceiling:,.0f}/s",
                lambda l: l["rps"] >= 0.9 * self.ceiling)
        for store in ("sqlite", "postgres"):
            add("me ≥ 30,000 req/s", store, self.load(store, "me", "me"),
                lambda l: f"{l['rps']:,.0f}/s", lambda l: l["rps"] >= 30000)
        for store, floor in (("sqlite", 4000), ("postgres", 3000)):
            add(f"refresh ≥ {floor:,}/s, p99 ≤ 25 ms", store, self.load(store, "refresh", "refresh"),
                lambda l: f"{l['rps']:,.0f}/s, p99 {l['latency_ms']['p99']:.1f} ms",
                lambda l, floor=floor: l["rps"] >= floor and l["latency_ms"]["p99"] <= 25)
        for store in ("sqlite", "postgres"):
            signin = self.load(store, "me_under_signin", "signin")
            add("me p99 ≤ 10 ms while sign-ins saturate the hash pool", store,
                self.load(store, "me_under_signin", "me"),
                lambda l, s=signin: f"p99 {l['latency_ms']['p99']:.1f} ms (sign-ins meanwhile "
                                    f"{100 * s['rps'] / self.ceiling:.0f} % of the ceiling)",
                lambda l: l["latency_ms"]["p99"] <= 10)
        sustain_seconds = float(self.settings.get("BENCH_SUSTAIN_SECONDS", 60))
        for store, _ in STORES:
            sustained = [(phase, record) for (s, phase, kind), record in self.records.items()
                         if s == store and kind == "sustain"]
            if not sustained:
                continue
            failed = [f"{phase}/{name}: {failures(load)}" for phase, record in sustained
                      for name, load in record["loads"].items() if failures(load)]
            slow = [f"{phase}/{name} {load['rps']:,.0f} of {load['target_rps']:,.0f}/s"
                    for phase, record in sustained for name, load in record["loads"].items()
                    if load["rps"] < 0.95 * load["target_rps"]]
            short = [f"{phase} {record['seconds']:.0f} s" for phase, record in sustained
                     if record["seconds"] < sustain_seconds - 1]
            measured = "; ".join(filter(None, [
                "failures " + ", ".join(failed) if failed else "0 non-2xx, 0 socket errors",
                "below 95 % of the target rate: " + ", ".join(slow) if slow else "",
                "shorter: " + ", ".join(short) if short else ""]))
            rows.append((f"0 non-2xx at 80 % of each peak for {sustain_seconds:.0f} s", store, measured, not failed))
        rss = max((r["server_rss_peak_mib"], f"{s}/{p}/{k}") for (s, p, k), r in self.records.items())
        rows.append((f"RSS ≤ {RSS_LIMIT_MIB} MiB under every phase", "all", f"peak {rss[0]} MiB ({rss[1]})",
                     rss[0] <= RSS_LIMIT_MIB))
        return rows

    def noise(self):
        other = [r["cpu_percent_of_cores"]["other"] for r in self.records.values()]
        steal = [r["cpu_percent_of_cores"]["steal"] for r in self.records.values()]
        worst = max(self.records.items(), key=lambda item: item[1]["cpu_percent_of_cores"]["other"])
        return (f"other processes used {sum(other) / len(other):.1f} % of the {self.cores} cores on average "
                f"(at most {max(other):.1f} %, in {'/'.join(worst[0])}); hypervisor steal "
                f"{sum(steal) / len(steal):.1f} % on average, at most {max(steal):.1f} %. "
                f"Load average when the micro benchmarks started: "
                f"{', '.join(f'{v:.2f}' for v in self.micro['load_avg'])}.")

    def chart_data(self, path):
        with open(path, "w") as data:
            data.write("# phase " + " ".join(f"{s}_rps {s}_p99" for s, _ in STORES) + "\n")
            for phase, name, label in PHASES:
                values = []
                for store, _ in STORES:
                    load = self.load(store, phase, name)
                    values += [f"{load['rps']:.1f}", f"{max(load['latency_ms']['p99'], 0.01):.3f}"] if load \
                        else ["NaN", "NaN"]
                data.write(f'"{label}" ' + " ".join(values) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True)
    parser.add_argument("--micro", required=True)
    parser.add_argument("--bench-dir", required=True)
    parser.add_argument("--setting", action="append", default=[])
    args = parser.parse_args()

    settings = dict(s.split("=", 1) for s in args.setting)
    report = Report(index_records(args.results), micro_results(args.micro), settings)
    root = os.path.dirname(os.path.abspath(args.bench_dir))
    micro = report.micro
    short_run = settings.get("BENCH_SECONDS") != "12" or settings.get("BENCH_SUSTAIN_SECONDS") != "60" \
        or settings.get("BENCH_MFA_USERS") != "500"

    md = ["# Benchmark results", ""]
    if short_run:
        md += [f"> **A short run** (BENCH_SECONDS={settings.get('BENCH_SECONDS')}, "
               f"BENCH_SUSTAIN_SECONDS={settings.get('BENCH_SUSTAIN_SECONDS')}, "
               f"BENCH_MFA_USERS={settings.get('BENCH_MFA_USERS')}; the defaults are 12, 60 and 500), "
               "on a machine shared with other work: it shows that every phase runs end to end, "
               "not what the server can do. See the noise below.", ""]
    md += [f"Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}. "
           "Written by `bench/run.sh`; see `bench/README.md` for what each phase measures.", ""]
    md += ["## Machine and versions", "", "| | |", "| --- | --- |"]
    md += [f"| {key} | {value} |" for key, value in {**machine(), **versions(root)}.items()]
    md += ["", "## Settings", "",
           "Release build (`cmake --preset release`). Every server runs with its defaults except "
           "`SESAME_RATE_LIMIT_PER_IP=0` (one client address would otherwise be limited to 60 credential "
           "requests a minute), so SESAME_HTTP_THREADS, SESAME_HASH_WORKERS and SESAME_HASH_QUEUE keep their defaults "
           "(4, 2 and 64 in the README), and "
           f"Argon2id m = {micro['memory_kib']} KiB, t = {micro['argon2_t']}, p = 1. PostgreSQL is the tests' "
           "throwaway cluster (`tests/support/postgres.sh`: Unix socket, `fsync=off`, "
           "`synchronous_commit=off`: no fsync per commit) — faster than a durable production setup — while SQLite "
           "commits to a file on the disk below with the server's own settings (WAL, synchronous=NORMAL: a commit "
           "survives a crash of the server, not a power loss; the fsyncs come at checkpoints), so neither store "
           "waits for the disk on each commit. wrk runs on the same machine "
           "over loopback. The nginx phase runs two instances on that PostgreSQL behind nginx "
           "(`deploy/nginx/sesame.conf` with only its addresses changed, `worker_processes auto`).", ""]
    md += [f"- `{key}` = {value}" for key, value in settings.items()]
    md += ["", "## Micro benchmarks (sesame-micro-bench)", "",
           "| what | time |", "| --- | ---: |",
           f"| one Argon2id hash, PasswordHasher (CPU time) | {micro['hash_cpu_ms']:.2f} ms |",
           f"| the same, wall time | {micro['hash_real_ms']:.2f} ms |"]
    if micro["hash_two_threads_ms"]:
        md.append(f"| the same, two at once (wall time of each) | {micro['hash_two_threads_ms']:.2f} ms |")
    md += [f"| sign an access token (Ed25519) | {micro['sign_us']:.1f} µs |",
           f"| verify an access token | {micro['verify_us']:.1f} µs |",
           f"| verify a TOTP code (window ±1) | {micro['totp_us']:.2f} µs |", "",
           f"**Hash-bound ceiling** = {report.cores} cores / {micro['hash_cpu_ms']:.2f} ms = "
           f"**{report.ceiling:,.0f} sign-ins/s**: one Argon2id verification per password sign-in, nothing else "
           "counted. (Debian's libbenchmark reports itself as a "
           f"`{micro['library_build_type']}` build; that affects the harness, not the code timed.)", ""]
    md += ["## Peaks", "",
           f"wrk -t{settings.get('BENCH_THREADS')} -c{settings.get('BENCH_CONNECTIONS')} for "
           f"{settings.get('BENCH_SECONDS')} s each (the `me` / sign-in mix: two wrk of one thread and "
           f"{settings.get('BENCH_CONNECTIONS')} connections each). mfa/verify: one fixed set of pairs, "
           "its rate over its own span.", ""]
    md += report.peak_table()
    md += ["", "![throughput and p99 per phase](results.png)", "", "## Targets", "",
           "| target | store | measured | |", "| --- | --- | --- | --- |"]
    verdict = {True: "met", False: "**missed**", None: "not run"}
    targets = report.targets()
    md += [f"| {target} | {store} | {measured} | {verdict[met]} |" for target, store, measured, met in targets]
    # Written by hand (what was profiled and changed, before and after, and the
    # causes of what is still missed): kept beside the generated figures.
    findings = os.path.join(args.bench_dir, "FINDINGS.md")
    if os.path.exists(findings):
        with open(findings) as notes:
            md += ["", notes.read().rstrip()]
    md += ["", "## Noise", "", report.noise(),
           "CPU shares are of all cores (100 % = every core busy), from /proc: the server (all instances), "
           "PostgreSQL (postmaster and backends), nginx, wrk (its own rusage), softirq time (loopback "
           "networking, charged to no process), then everything else that ran (\"other\") and hypervisor steal.", "", "## Every run", ""]
    md += report.run_table()
    md += ["", "## Reproduce", "", "```sh", "bench/run.sh                                   # the full run, about 25 minutes",
           "BENCH_SECONDS=5 BENCH_SUSTAIN_SECONDS=10 BENCH_MFA_USERS=100 bench/run.sh   # a quick check",
           "```", "", "Stop other work first: the figures are only as quiet as the machine.", ""]
    with open(os.path.join(args.bench_dir, "RESULTS.md"), "w") as out:
        out.write("\n".join(md))

    data_path = os.path.join(args.bench_dir, "results.dat")
    report.chart_data(data_path)
    subprocess.run(["gnuplot", "-e", f"data='{data_path}'; out='{os.path.join(args.bench_dir, 'results.png')}'",
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.gp")], check=True)

    print(f"\n  hash-bound ceiling {report.ceiling:,.0f} sign-ins/s ({micro['hash_cpu_ms']:.2f} ms per hash)")
    print("\n  " + "\n  ".join(report.peak_table()))
    print()
    for target, store, measured, met in targets:
        print(f"  {verdict[met]:12} {target} [{store}]: {measured}")
    print("\n  " + report.noise())


if __name__ == "__main__":
    main()
