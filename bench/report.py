"""The tables of bench/README.md from a results.json, with each target checked:

    python -m bench.report bench/results.json"""

import json
import sys

PAGE_SLOWDOWN_LIMIT = 1.5
PG_ONE_CONNECTION_MS = 15.0
SWEEP_SECONDS = 5.0
AGENDA_SECONDS = 1.0
THROUGHPUT_SHARE = {"queue": 0.25, "case_page_200_events": 0.40}


def _n(number: int) -> str:
    """100000 as "100 000", the Swedish way."""
    return f"{number:,}".replace(",", " ")


def _ok(good: bool) -> str:
    return "✓" if good else "✗ missed"


def markdown(results: dict) -> str:
    runs = results["runs"]
    lines = []
    machine = results.get("machine") or {}
    if machine:
        lines += [f"Run {results.get('started', '')} with `{results.get('command', 'python -m bench.run')}` on "
                  f"{machine.get('cpus')} CPUs, Python {machine.get('python')}; load average "
                  f"{machine.get('load_average_at_start')} at the start, {machine.get('load_average_at_end')} at the end.", ""]
    for database in dict.fromkeys(r["database"] for r in runs):
        mine = sorted((r for r in runs if r["database"] == database), key=lambda r: r["cases"])
        smallest, largest = mine[0], mine[-1]
        sizes = [r["cases"] for r in mine]
        for key, title in (("pages", "pages rendered on every request (page cache off)"),
                           ("pages_cached", "pages as served (page cache on; nothing changed between requests)")):
            if key not in smallest:
                continue
            lines += [f"### {database}: {title}", "", "median / p95 ms (SQL statements; size of the page)", "",
                      "| page | " + " | ".join(f"{_n(n)} cases" for n in sizes)
                      + f" | {largest['cases'] // smallest['cases']}× data: median ratio | statements equal |",
                      "|---|" + "---|" * len(sizes) + "---|---|"]
            for page in smallest[key]:
                cells = [f"{r[key][page]['median_ms']} / {r[key][page]['p95_ms']} ({r[key][page]['queries']}"
                         + (f"; {r[key][page]['kib']:.0f} KiB)" if "kib" in r[key][page] else ")") for r in mine]
                ratio = largest[key][page]["median_ms"] / max(smallest[key][page]["median_ms"], 0.001)
                same = len({r[key][page]["queries"] for r in mine}) == 1
                lines.append(f"| {page} | " + " | ".join(cells)
                             + f" | {ratio:.2f} {_ok(ratio <= PAGE_SLOWDOWN_LIMIT)} | {_ok(same)} |")
            if database == "postgresql":
                for page in ("queue", "case_page_200_events"):
                    median = largest[key][page]["median_ms"]
                    lines.append(f"\n{page} at {_n(largest['cases'])} cases, one connection: {median} ms "
                                 f"(target ≤ {PG_ONE_CONNECTION_MS:.0f} ms) {_ok(median <= PG_ONE_CONNECTION_MS)}")
            lines.append("")
        lines += ["", f"### {database}: jobs (seconds, statements)", "",
                  "| job | " + " | ".join(f"{_n(n)} cases" for n in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
        for job in smallest["jobs"]:
            lines.append(f"| {job} | " + " | ".join(f"{r['jobs'][job]['seconds']} s ({r['jobs'][job]['statements']})"
                                                   for r in mine) + " |")
        sweep, agenda = largest["jobs"]["routing_sweep"]["seconds"], largest["jobs"]["agenda_generation"]["seconds"]
        lines += ["", (f"Sweep at {_n(largest['cases'])} cases ({_n(largest['jobs']['routing_sweep'].get('open_cases') or 0)}"
                  f" open): {sweep} s (target < {SWEEP_SECONDS:.0f} s) {_ok(sweep < SWEEP_SECONDS)}; agenda generation "
                  f"{agenda} s (target < {AGENDA_SECONDS:.0f} s) {_ok(agenda < AGENDA_SECONDS)}."), ""]
        hello = results.get("hello_world")
        if hello and all("load" in r for r in mine):
            beside = all("hello_world" in r["load"] for r in mine)
            lines += [(f"### {database}: throughput under gunicorn ({results['settings']['gunicorn_workers']} workers, "
                      f"wrk {results['settings']['wrk']}, {results['settings']['load_seconds']} s)"), "",
                      f"hello-world at the start of the run: {hello['requests_per_s']:.0f} requests/s, "
                      f"p99 {hello['p99_ms']} ms" + ("; again beside each size's routes, the share's base (its "
                                                     "column)" if beside else ""), "",
                      ("| route | cases | requests/s | p99 ms | hello-world requests/s | share of hello-world | errors "
                       "| worker RSS before → after (MiB) |"),
                      "|---|---|---|---|---|---|---|---|"]
            for r in mine:
                load = r["load"]
                base = load.get("hello_world", hello)["requests_per_s"]
                before = sum(load["rss_kib_before"].values()) / 1024 / max(len(load["rss_kib_before"]), 1)
                after = sum(load["rss_kib_after"].values()) / 1024 / max(len(load["rss_kib_after"]), 1)
                for route, share in THROUGHPUT_SHARE.items():
                    got = load[route]["requests_per_s"] / base
                    lines.append(f"| {route} | {_n(r['cases'])} | {load[route]['requests_per_s']:.0f} | "
                                 f"{load[route]['p99_ms']} | {base:.0f} | {got:.0%} (target ≥ {share:.0%}) "
                                 f"{_ok(got >= share)} | {load[route]['non_2xx']} | {before:.0f} → {after:.0f} "
                                 "(mean per worker) |")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(json.loads(open(sys.argv[1] if len(sys.argv) > 1 else "bench/results.json").read())))
