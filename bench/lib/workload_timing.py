#!/usr/bin/env python3
"""Timing helpers for bench/workloads (standard library only).

  workload_timing.py run --tool NAME --run I --boot LABEL --log FILE --results FILE
                         [--banner STR] [--timeout S] -- COMMAND...
      Runs COMMAND with stdin from /dev/null and reads its stdout (a guest console, or the
      workload script run natively) as a stream. Every line "nucleo-bench: EVENT NAME ..."
      (begin, end, check) and the banner are timestamped on arrival (host monotonic clock,
      seconds since the start) together with the process's CPU time at that moment (user +
      system of all its threads, from /proc/PID/stat) and that of its guest CPU threads alone
      (Nucleo's harts, QEMU's vCPU threads: the engine's own work, without the time a hart
      waits for a core behind the compilers), and appended to the results file as one
      tab-separated row; so is the exit. The console goes to FILE, stderr to FILE.stderr.
      Fails (status 1) on a timeout, a non-zero exit, a missing "done", or a failed check.

  workload_timing.py summary RESULTS
      Prints, as Markdown, the per-run durations and a table of the medians: Nucleo, QEMU,
      Nucleo/QEMU and the native reference.
"""

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import time

COLUMNS = ["tool", "run", "boot", "event", "name", "host_s", "guest_s", "cpu_s", "vcpu_s", "detail"]
# The threads that run guest code: Nucleo's harts ("hart-0") and QEMU's TCG vCPUs ("CPU 0/TCG").
VCPU_THREAD = re.compile(r"hart|CPU \d+/TCG")
LINE = re.compile(rb"nucleo-bench: (begin|end|check|cpus|done)(?: (\S+))?(?: (.*))?")
TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid):
    """User + system seconds of every thread of pid so far (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return None


def thread_cpu(pid):
    """User + system seconds per thread name (threads of one name summed), {} once pid is gone."""
    out = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        name = raw[raw.index(b"(") + 1:raw.rindex(b")")].decode(errors="replace")
        fields = raw.rsplit(b")", 1)[1].split()
        name = re.sub(r"\d+$", "#", name)  # "C2 CompilerThread0" and "...1" count together
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / TICKS
    return out


def vcpu_cpu(pid):
    """User + system seconds of pid's guest CPU threads (VCPU_THREAD) so far; None without any."""
    vcpus = [cpu for name, cpu in thread_cpu(pid).items() if VCPU_THREAD.match(name)]
    return sum(vcpus) if vcpus else None


def fmt(value):
    return "-" if value is None else f"{value:.3f}"


def run(args):
    command = args.command[1:] if args.command and args.command[0] == "--" else args.command
    if not command:
        sys.exit("workload_timing.py run: no command")
    banner = args.banner.encode() if args.banner else None
    rows = []
    problems = []
    done = False

    def record(event, name, host, guest, cpu, detail="", vcpu=None):
        rows.append([args.tool, str(args.run), args.boot, event, name or "-", fmt(host),
                     guest or "-", fmt(cpu), fmt(vcpu), detail.replace("\t", " ")])

    with open(args.log, "wb") as log, open(args.log + ".stderr", "wb") as err, \
            open(os.devnull, "rb") as devnull:
        start = time.monotonic()
        # Its own process group, so a timeout can stop it and whatever it started.
        proc = subprocess.Popen(command, stdin=devnull, stdout=subprocess.PIPE, stderr=err,
                                start_new_session=True)
        fd = proc.stdout.fileno()
        deadline = start + args.timeout
        pending = b""
        banner_seen = banner is None
        idle_threads = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                problems.append(f"timeout after {args.timeout:g} s")
                os.killpg(proc.pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            now = time.monotonic() - start
            if not chunk:
                break
            cpu = process_cpu(proc.pid)
            log.write(chunk)
            log.flush()
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                line = line.rstrip(b"\r")
                if not banner_seen and banner in line:
                    banner_seen = True
                    record("banner", "boot", now, None, cpu, vcpu=vcpu_cpu(proc.pid))
                m = LINE.search(line)
                if not m:
                    continue
                event, name, rest = (g.decode(errors="replace") if g else None for g in m.groups())
                if event in ("begin", "end"):
                    detail = ""
                    if name == "idle" and event == "begin":
                        idle_threads = (now, thread_cpu(proc.pid))
                    elif name == "idle" and idle_threads:
                        # Which threads used the CPU while the guest idled, in % of a core.
                        then, before = idle_threads
                        after = thread_cpu(proc.pid)
                        used = sorted(((after[t] - before.get(t, 0), t) for t in after), reverse=True)
                        detail = ", ".join(f"{t} {100 * c / (now - then):.2f}%" for c, t in used[:5] if c > 0)
                    record(event, name, now, (rest or "").split(" ")[0] or None, cpu, detail, vcpu_cpu(proc.pid))
                elif event == "check":
                    record(event, name, now, None, cpu, rest or "")
                    if not (rest or "").startswith("ok"):
                        problems.append(f"check {name} failed: {rest}")
                elif event == "cpus":
                    record(event, name, now, None, cpu)
                else:
                    done = True
        _, wait_status, usage = os.wait4(proc.pid, 0)
        exit_at = time.monotonic() - start
    status = os.waitstatus_to_exitcode(wait_status)
    if status != 0 and not problems:
        problems.append(f"exit status {status}")
    if not done and not any(p.startswith("timeout") for p in problems):
        problems.append("the workload script did not finish (no 'nucleo-bench: done')")
    if not banner_seen:
        problems.append("no banner")
    record("exit", str(status), exit_at, None, usage.ru_utime + usage.ru_stime, "; ".join(problems))
    with open(args.results, "a") as out:
        fcntl.flock(out, fcntl.LOCK_EX)     # two runs side by side (bench/workloads -P) append too
        if out.seek(0, os.SEEK_END) == 0:
            out.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            out.write("\t".join(row) + "\n")
    parts = []
    for metric, value in durations(rows_as_dicts(rows)).items():
        parts.append(f"{metric} {value:.2f}" + ("%" if metric.startswith("idle") else " s"))
    print(f"  {args.tool} run {args.run} ({args.boot}): " + (", ".join(parts) or "no timings")
          + (f"  FAILED: {'; '.join(problems)}" if problems else ""), flush=True)
    return 1 if problems else 0


def rows_as_dicts(rows):
    return [dict(zip(COLUMNS, row)) for row in rows]


def number(value):
    return None if value in (None, "", "-") else float(value)


def durations(rows):
    """
    Metrics of one boot (or native run): seconds per workload, idle CPU in % of a core, and as
    "vcpu:NAME" the CPU seconds the guest CPU threads used in each (the boot: up to the banner).
    """
    out = {}
    begins = {}
    for row in rows:
        event, name, host = row["event"], row["name"], number(row["host_s"])
        if event == "banner":
            boot = "boot" if row["boot"] != "2cpu" else "boot-2cpu"
            out[boot] = host
            if number(row.get("vcpu_s")) is not None:
                out[f"vcpu:{boot}"] = number(row["vcpu_s"])
        elif event == "begin":
            begins[name] = row
        elif event == "end" and name in begins:
            begin = begins[name]
            if name == "idle":
                cpu_a, cpu_b = number(begin["cpu_s"]), number(row["cpu_s"])
                if cpu_a is not None and cpu_b is not None:
                    out[f"idle-{row['boot']}"] = 100 * (cpu_b - cpu_a) / (host - number(begin["host_s"]))
            else:
                out[name] = host - number(begin["host_s"])
                vcpu_a, vcpu_b = number(begin.get("vcpu_s")), number(row.get("vcpu_s"))
                if vcpu_a is not None and vcpu_b is not None:
                    out[f"vcpu:{name}"] = vcpu_b - vcpu_a
                guest_a, guest_b = number(begin["guest_s"]), number(row["guest_s"])
                if guest_a is not None and guest_b is not None:
                    out[f"guest:{name}"] = guest_b - guest_a
    return out


def read_results(path):
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


IDLE_LIMIT = 2.0   # % of one host core an idle VM may use

WORKLOADS = [
    ("boot", "boot to the init script (banner), s"),
    ("boot-2cpu", "the same with 2 harts, s"),
    ("shell", "integer shell loop, s"),
    ("sha256", "sha256sum of the in-memory file, s"),
    ("gzip", "gzip + gunzip round trip, s"),
    ("gzip-warm", "the same, third in one boot (steady state), s"),
    ("smp-serial", "2 jobs one after the other, s"),
    ("smp-parallel", "2 jobs in parallel (2 harts), s"),
    ("smp-speedup", "speed-up serial / parallel"),
    ("idle-1cpu", "idle VM, 1 hart: CPU, % of a host core"),
    ("idle-2cpu", "idle VM, 2 harts: CPU, % of a host core"),
]


def summary(args):
    rows = read_results(args.results)
    runs = {}       # (tool, run) -> metrics
    failed = {}     # (tool, run) -> problems
    for key in sorted({(r["tool"], int(r["run"])) for r in rows}):
        metrics = {}
        for boot in sorted({r["boot"] for r in rows if (r["tool"], int(r["run"])) == key}):
            boot_rows = [r for r in rows if (r["tool"], int(r["run"]), r["boot"]) == (*key, boot)]
            problems = [r["detail"] for r in boot_rows if r["event"] == "exit" and r["detail"]]
            if problems:
                failed.setdefault(key, []).extend(f"{boot}: {p}" for p in problems)
                continue
            metrics.update(durations(boot_rows))
        if "smp-serial" in metrics and metrics.get("smp-parallel"):
            metrics["smp-speedup"] = metrics["smp-serial"] / metrics["smp-parallel"]
        runs[key] = metrics
    tools = ["nucleo", "base", "qemu", "native"]   # base: bench/workloads -B, another build
    present = [t for t in tools if any(k[0] == t for k in runs)]
    shown = [(w, label) for w, label in WORKLOADS if any(w in m for m in runs.values())]

    print("| tool | run | " + " | ".join(w for w, _ in shown) + " | notes |")
    print("|---|---:|" + "---:|" * len(shown) + "---|")
    for key in sorted(runs, key=lambda k: (tools.index(k[0]) if k[0] in tools else 9, k[1])):
        m = runs[key]
        cells = [f"{m[w]:.2f}" if w in m else "-" for w, _ in shown]
        print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + f" | {'; '.join(failed.get(key, []))} |")

    def median(tool, metric):
        values = [m[metric] for k, m in runs.items() if k[0] == tool and metric in m]
        return (statistics.median(values), len(values)) if values else (None, 0)

    def ratio(w, a, b):
        if w.startswith("idle") or w == "smp-speedup" or a is None or not b:
            return "-"
        return f"{a / b:.2f}x"

    base = "base" in present
    print()
    print("| median over good runs | Nucleo |" + (" base build | Nucleo / base |" if base else "")
          + " QEMU | Nucleo / QEMU | native |")
    print("|---|---:|" + ("---:|---:|" if base else "") + "---:|---:|---:|")
    for w, label in shown:
        n, _ = median("nucleo", w)
        b, _ = median("base", w)
        q, _ = median("qemu", w)
        h, _ = median("native", w)
        base_cells = f" {fmt2(b)} | {ratio(w, n, b)} |" if base else ""
        print(f"| {label} | {fmt2(n)} |{base_cells} {fmt2(q)} | {ratio(w, n, q)} | {fmt2(h)} |")
    vcpu_rows = [(w, label) for w, label in shown if any(f"vcpu:{w}" in m for m in runs.values())]
    if vcpu_rows:
        print()
        print("CPU time of the guest CPU threads alone (Nucleo's harts, QEMU's vCPU threads), medians:")
        print()
        print("| seconds | Nucleo |" + (" base build | Nucleo / base |" if base else "") + " QEMU | Nucleo / QEMU |")
        print("|---|---:|" + ("---:|---:|" if base else "") + "---:|---:|")
        for w, label in vcpu_rows:
            n, _ = median("nucleo", f"vcpu:{w}")
            b, _ = median("base", f"vcpu:{w}")
            q, _ = median("qemu", f"vcpu:{w}")
            base_cells = f" {fmt2(b)} | {ratio(w, n, b)} |" if base else ""
            print(f"| {w} | {fmt2(n)} |{base_cells} {fmt2(q)} | {ratio(w, n, q)} |")
    guest_checks = []
    for w, _ in shown:
        for tool in ("nucleo", "base", "qemu"):
            host, _ = median(tool, w)
            guest, _ = median(tool, f"guest:{w}")
            if host is not None and guest is not None:
                guest_checks.append(f"{tool} {w} {guest:.2f}")
    if guest_checks:
        print()
        print("guest clock (/proc/uptime, 10 ms) medians for the same intervals: " + ", ".join(guest_checks))
    for tool, name in (("nucleo", "Nucleo"), ("base", "the base build")):
        for boot, harts in (("1cpu", "1 hart"), ("2cpu", "2 harts")):
            n, _ = median(tool, f"idle-{boot}")
            if n is not None:
                print()
                print(f"idle check, {name} with {harts}: median {n:.2f}% of a host core, limit {IDLE_LIMIT:g}%: "
                      + ("ok" if n < IDLE_LIMIT else "OVER THE LIMIT"))
                for r in rows:
                    if (r["tool"], r["boot"], r["event"], r["name"]) == (tool, boot, "end", "idle") and r["detail"]:
                        print(f"  run {r['run']}, busiest threads: {r['detail']}")
    print()
    counts = ", ".join(f"{t} {sum(1 for k in runs if k[0] == t and k not in failed)} of "
                       f"{sum(1 for k in runs if k[0] == t)}" for t in present)
    print(f"good runs: {counts}")
    return 1 if failed else 0


def fmt2(value):
    return "-" if value is None else f"{value:.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    r = sub.add_parser("run")
    r.add_argument("--tool", required=True)
    r.add_argument("--run", type=int, required=True)
    r.add_argument("--boot", required=True, help="which boot of the run: 1cpu, 2cpu or native")
    r.add_argument("--log", required=True)
    r.add_argument("--results", required=True)
    r.add_argument("--banner", help="a console line to timestamp as the end of boot")
    r.add_argument("--timeout", type=float, default=600)
    r.add_argument("command", nargs=argparse.REMAINDER)
    s = sub.add_parser("summary")
    s.add_argument("results")
    args = parser.parse_args()
    return run(args) if args.action == "run" else summary(args)


if __name__ == "__main__":
    sys.exit(main())
