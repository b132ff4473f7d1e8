"""The benchmark suite: ``python benchmarks/run.py`` (``--quick`` for a subset of a minute).

For each case it prints the wall time per replication (fastest and slowest of ``--repeat``
runs), simulated SimPy events per second, peak resident memory, and, for one-replication
cases, the bare-SimPy floor for the same processes and tasks and the model/floor ratio. It
then fits the exponent of time against size over the ``scale_*`` cases and checks the targets
of docs/performance.md. Every case runs in a fresh interpreter (see cases.py).

The end-to-end cases (end_to_end.py: ``national_e2e``, ``national_e2e_parallel``,
``avon_100_parallel``) time a whole ``run`` command, tables and files included: simulation
CPU, table-building CPU, wall time on 1 and 2 workers, the parallel efficiency, and
replications per second for the baseline on 2 workers. ``--e2e`` runs only those;
``--e2e-set horizon_days=120`` shortens the national ones for a quick look.

Timings on a shared machine are noisy: the fastest of several repeats is the best estimate of
what the code costs, the slowest shows the noise.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES, SCALE_SIZES  # noqa: E402
from end_to_end import E2E_CASES  # noqa: E402

QUICK = ("baseline", "baseline_personal", "scale_1000", "scale_4000")
TARGET_SECONDS_PER_REPLICATION_YEAR = 1.0
TARGET_NATIONAL_SECONDS = 60.0
TARGET_NATIONAL_MB = 2048.0
TARGET_FLOOR_RATIO = 2.0
TARGET_EXPONENT = 1.1
# issue 19: a national replication end to end (tables and files written, no report)
TARGET_NATIONAL_E2E_SECONDS = 40.0  # on 2 workers
TARGET_TABLES_SHARE = 0.20  # building (and writing) the tables against the simulation's CPU
TARGET_EFFICIENCY = 0.8  # of the national replication on 2 workers
TARGET_AVON_100_SECONDS = 20.0  # 100 baseline replications of a year on 2 workers
TARGET_E2E_MB = 1024.0
TARGET_PERSONAL_CPU_PER_REPLICATION_YEAR = 0.3  # issue 13: personal caseloads and absences on


def _subprocess(args: list[str], script: str = "cases.py") -> dict:
    command = [sys.executable, str(HERE / script), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark case failed: {' '.join(args)}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _repeat(args: list[str], repeat: int, time_key: str, cpu_key: str) -> dict:
    """Run a case ``repeat`` times; keep the first result with the fastest/slowest times."""
    runs = [_subprocess(args) for _ in range(repeat)]
    first = dict(runs[0])
    if "pending" in first:
        return first
    times = [run[time_key] for run in runs]
    first["min"], first["max"] = min(times), max(times)
    first["cpu_min"] = min(run.get(cpu_key, float("nan")) for run in runs)
    first["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
    return first


def _fit_exponent(points: list[tuple[float, float]]) -> float:
    """Slope of log(seconds) against log(offenders): 1 means linear."""
    sizes, seconds = zip(*points, strict=True)
    slope, _ = np.polyfit(np.log(sizes), np.log(seconds), 1)
    return float(slope)


def _row(result: dict, floor: dict | None) -> str:
    name = result["case"]
    if "pending" in result:
        return f"{name:<18} pending: {result['pending']}"
    per_year = result["min"] * 365 / result["days"]
    events_per_second = result["events"] / result["min"] / result["replications"]
    text = (
        f"{name:<18} {result['replications']:>4} {result['workers']:>3} {result['days']:>5} "
        f"{result.get('offenders_start', float('nan')):>7,.0f} "
        f"{result.get('first_seconds', float('nan')):>7.2f} "
        f"{result['min']:>7.2f}-{result['max']:<7.2f} {result['cpu_min']:>7.2f} {per_year:>7.2f} "
        f"{result['events']:>11,} {events_per_second:>10,.0f} {result['peak_rss_mb']:>8,.0f}"
    )
    if floor is not None:
        text += (
            f" {floor['min']:>7.2f} {result['min'] / floor['min']:>6.2f}"
            f" {result['cpu_min'] / floor['cpu_min']:>6.2f}"
        )
    return text


HEADER = (
    f"{'case':<18} {'reps':>4} {'wrk':>3} {'days':>5} {'offndrs':>7} {'first s':>7} "
    f"{'s/rep min-max':<15} {'cpu s':>7} {'s/rep-yr':>7} {'events/rep':>11} {'events/s':>10} "
    f"{'peak MB':>8} {'floor s':>7} {'ratio':>6} {'cpu r.':>6}"
)
LEGEND = """\
first s: the first replication in a fresh process (warming up included); s/rep: a replication
once warm (runs under 10 s are repeated in the process and the fastest kept), fastest-slowest
over --repeat processes; cpu s: its CPU time (less sensitive to other load on the machine);
s/rep-yr: s/rep per 365 simulated days; events: SimPy events scheduled; floor s: the bare-SimPy
floor for the same processes and staff tasks; ratio / cpu r.: model / floor, wall and CPU."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--cases", help=f"comma-separated, from: {', '.join(CASES)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (default 3)")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-SimPy floor")
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    parser.add_argument("--e2e", action="store_true", help="only the end-to-end cases")
    parser.add_argument(
        "--e2e-set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a --set for the national end-to-end cases (e.g. horizon_days=120)",
    )
    args = parser.parse_args()
    every = [*CASES, *E2E_CASES]
    if args.e2e:
        names = list(E2E_CASES)
    else:
        names = args.cases.split(",") if args.cases else list(QUICK if args.quick else every)
    unknown = [name for name in names if name not in every]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(every)}")
    end_to_end = [name for name in names if name in E2E_CASES]
    names = [name for name in names if name in CASES]

    print(
        f"{platform.node()} {platform.processor() or platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, {date.today()}, "
        f"repeat {args.repeat}"
    )
    if names:
        print(HEADER)
    results: dict = {}
    for name in names:
        result = _repeat(
            [name], args.repeat, "seconds_per_replication", "cpu_seconds_per_replication"
        )
        floor = None
        if "pending" not in result and result["workers"] == 1 and not args.no_floor:
            floor = _repeat(
                [name, "--floor", json.dumps(result)], args.repeat, "seconds", "cpu_seconds"
            )
        results[name] = {"model": result, "floor": floor}
        print(_row(result, floor), flush=True)

    if names:
        print(LEGEND)
        print()
        _report_targets(results)
    if end_to_end:
        results["end_to_end"] = _end_to_end(end_to_end, args.repeat, args.e2e_set)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def _end_to_end(names: list[str], repeat: int, national_set: list[str]) -> dict:
    """Run the end-to-end cases (fastest of ``repeat`` by wall time), print them and the
    targets of issue 19."""
    print()
    print(
        f"{'end to end':<22} {'reps':>4} {'wrk':>3} {'wall s':>15} {'sim s':>7} "
        f"{'sim cpu':>7} {'tables':>7} {'writing':>7} {'pred. eff':>9} {'idle est':>8} "
        f"{'cpu eff':>7} {'peak MB':>8}"
    )
    found: dict[str, dict] = {}
    for name in names:
        extra = [f"--set={item}" for item in national_set] if name.startswith("national") else []
        if name == "national_e2e_parallel" and "national_e2e" in found:
            extra.append(f"--serial-cpu={found['national_e2e']['simulation_cpu_min']}")
        runs = [_subprocess([name, *extra], "end_to_end.py") for _ in range(repeat)]
        best = dict(min(runs, key=lambda run: run["seconds"]))
        best["slowest"] = max(run["seconds"] for run in runs)
        best["tables_cpu_min"] = min(run["tables_cpu"] for run in runs)
        best["writing_cpu_min"] = min(run["writing_cpu"] for run in runs)
        if "simulation_cpu" in best:
            best["simulation_cpu_min"] = min(run["simulation_cpu"] for run in runs)
        found[name] = best
        cpu = best.get("simulation_cpu_min", float("nan"))
        print(
            f"{name:<22} {best['replications']:>4} {best['workers']:>3} "
            f"{best['seconds']:>7.1f}-{best['slowest']:<7.1f} {best['simulation_seconds']:>7.1f} "
            f"{cpu:>7.1f} {best['tables_cpu_min']:>7.2f} {best['writing_cpu_min']:>7.2f} "
            f"{best.get('predicted_efficiency_2', float('nan')):>9.2f} "
            f"{best.get('idle_estimate_seconds', float('nan')):>8.1f} "
            f"{best.get('cpu_efficiency', float('nan')):>7.2f} "
            f"{best['peak_rss_mb']:>8,.0f}",
            flush=True,
        )
    print(
        "wall s: the whole command in a fresh process, fastest-slowest; sim s: wall time of the "
        "replications; sim cpu, tables, writing: CPU s of the replications (1 worker), of "
        "building the tables, of writing the files; pred. eff: parallel efficiency 2 workers "
        "would reach handing out the measured areas (CPU) in order; idle est: this process's "
        "CPU s plus the busiest worker's, the wall time on an otherwise idle machine; cpu eff: "
        "1-worker simulation CPU over 2 x the busiest worker's CPU"
    )
    _end_to_end_targets(found)
    return found


def _end_to_end_targets(found: dict[str, dict]) -> None:
    serial, parallel = found.get("national_e2e"), found.get("national_e2e_parallel")
    if serial:
        share = (serial["tables_cpu_min"] + serial["writing_cpu_min"]) / serial[
            "simulation_cpu_min"
        ]
        _verdict(
            f"national tables {serial['tables_cpu_min']:.2f} s + files "
            f"{serial['writing_cpu_min']:.2f} s of CPU = {share:.1%} of the simulation's "
            f"{serial['simulation_cpu_min']:.1f} s",
            share <= TARGET_TABLES_SHARE,
            f"<= {TARGET_TABLES_SHARE:.0%}",
        )
        _verdict(
            f"national areas handed to 2 workers: predicted efficiency "
            f"{serial['predicted_efficiency_2']:.2f} (from each area's CPU time)",
            serial["predicted_efficiency_2"] >= TARGET_EFFICIENCY,
            f">= {TARGET_EFFICIENCY}",
        )
    if parallel:
        _verdict(
            f"national end to end on 2 workers {parallel['seconds']:.1f} s wall",
            parallel["seconds"] <= TARGET_NATIONAL_E2E_SECONDS,
            f"<= {TARGET_NATIONAL_E2E_SECONDS:.0f} s",
        )
        _verdict(
            f"national end to end on 2 workers, estimated for an idle machine from CPU times: "
            f"{parallel['idle_estimate_seconds']:.1f} s",
            parallel["idle_estimate_seconds"] <= TARGET_NATIONAL_E2E_SECONDS,
            f"<= {TARGET_NATIONAL_E2E_SECONDS:.0f} s",
        )
        if "cpu_efficiency" in parallel:
            _verdict(
                f"national parallel efficiency by CPU time {parallel['cpu_efficiency']:.2f}",
                parallel["cpu_efficiency"] >= TARGET_EFFICIENCY,
                f">= {TARGET_EFFICIENCY}",
            )
    if serial and parallel:
        efficiency = serial["simulation_seconds"] / (2 * parallel["simulation_seconds"])
        whole = serial["seconds"] / (2 * parallel["seconds"])
        _verdict(
            f"national parallel efficiency, measured by wall time: replications {efficiency:.2f}"
            f", whole command {whole:.2f} (unreliable on a shared machine)",
            efficiency >= TARGET_EFFICIENCY,
            f">= {TARGET_EFFICIENCY}",
        )
    for case in (serial, parallel):
        if case:
            _verdict(
                f"{case['case']} peak memory {case['peak_rss_mb']:,.0f} MB",
                case["peak_rss_mb"] <= TARGET_E2E_MB,
                f"<= {TARGET_E2E_MB:,.0f} MB",
            )
    avon = found.get("avon_100_parallel")
    if avon:
        rate = avon["replications"] / avon["simulation_seconds"]
        _verdict(
            f"avon baseline {avon['replications']} replications on {avon['workers']} workers: "
            f"{avon['seconds']:.1f} s wall end to end, replications "
            f"{avon['simulation_seconds']:.1f} s ({rate:.1f} replications/s)",
            avon["seconds"] <= TARGET_AVON_100_SECONDS,
            f"<= {TARGET_AVON_100_SECONDS:.0f} s",
        )
        _verdict(
            f"avon baseline 100 replications on 2 workers, estimated for an idle machine from "
            f"CPU times: {avon['idle_estimate_seconds']:.1f} s "
            f"({avon['replications'] / avon['idle_estimate_seconds']:.1f} replications/s)",
            avon["idle_estimate_seconds"] <= TARGET_AVON_100_SECONDS,
            f"<= {TARGET_AVON_100_SECONDS:.0f} s",
        )


def _report_targets(results: dict) -> None:
    """Say which targets hold for the cases that were run."""

    def model(name: str) -> dict | None:
        entry = results.get(name)
        return None if entry is None or "pending" in entry["model"] else entry["model"]

    baseline = model("baseline")
    if baseline:
        per_year = baseline["min"] * 365 / baseline["days"]
        _verdict(
            f"baseline {per_year:.2f} s per replication-year",
            per_year < TARGET_SECONDS_PER_REPLICATION_YEAR,
            f"< {TARGET_SECONDS_PER_REPLICATION_YEAR} s",
        )
    parallel = model("baseline_parallel")
    if parallel and baseline:
        speedup = baseline["min"] / parallel["min"]
        print(
            f"  baseline_parallel: {parallel['wall_seconds']:.1f} s for "
            f"{parallel['replications']} replications, {speedup:.2f}x serial per replication"
        )
    national = model("national")
    if national:
        _verdict(
            f"national {national['min']:.1f} s per replication of {national['days']} days",
            national["min"] < TARGET_NATIONAL_SECONDS,
            f"< {TARGET_NATIONAL_SECONDS:.0f} s",
        )
        _verdict(
            f"national peak memory {national['peak_rss_mb']:,.0f} MB",
            national["peak_rss_mb"] < TARGET_NATIONAL_MB,
            f"< {TARGET_NATIONAL_MB:,.0f} MB",
        )
    ratios = {
        name: entry["model"]["min"] / entry["floor"]["min"]
        for name, entry in results.items()
        if entry["floor"] is not None
    }
    if ratios:
        worst = max(ratios, key=ratios.get)
        cpu_ratios = {
            name: entry["model"]["cpu_min"] / entry["floor"]["cpu_min"]
            for name, entry in results.items()
            if entry["floor"] is not None
        }
        listed = ", ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items())
        _verdict(
            f"model/floor ratio: worst {ratios[worst]:.2f} ({worst}); all: {listed}; "
            f"by CPU time worst {max(cpu_ratios.values()):.2f}",
            ratios[worst] <= TARGET_FLOOR_RATIO,
            f"<= {TARGET_FLOOR_RATIO}",
        )
    scaled = [model(f"scale_{n}") for n in SCALE_SIZES if model(f"scale_{n}")]
    if len(scaled) >= 2:
        work = [case["offenders_mean"] * case["days"] for case in scaled]
        exponent = _fit_exponent(list(zip(work, [case["min"] for case in scaled], strict=True)))
        cpu_exponent = _fit_exponent(
            list(zip(work, [case["cpu_min"] for case in scaled], strict=True))
        )
        sizes = ", ".join(f"{case['offenders_mean']:,.0f}: {case['min']:.2f} s" for case in scaled)
        floors = [results[f"scale_{n}"]["floor"] for n in SCALE_SIZES if model(f"scale_{n}")]
        floor_note = ""
        if all(floors):
            floor_exponent = _fit_exponent(
                list(zip(work, [floor["cpu_min"] for floor in floors], strict=True))
            )
            floor_note = f"; the floor's CPU time ^{floor_exponent:.2f}"
        _verdict(
            f"time ~ (offenders x days)^{exponent:.2f} over {len(scaled)} sizes ({sizes}); "
            f"CPU time ^{cpu_exponent:.2f}{floor_note}",
            exponent <= TARGET_EXPONENT,
            f"exponent <= {TARGET_EXPONENT}",
        )

    _report_personal(model)


def _report_personal(model) -> None:
    """Issue 13's targets for personal caseloads with absences (by CPU time)."""
    personal = model("baseline_personal")
    if personal:
        per_year = personal["cpu_min"] * 365 / personal["days"]
        _verdict(
            f"baseline_personal {per_year:.2f} s of CPU per replication-year",
            per_year <= TARGET_PERSONAL_CPU_PER_REPLICATION_YEAR,
            f"<= {TARGET_PERSONAL_CPU_PER_REPLICATION_YEAR} s",
        )
    scaled = [model(f"personal_{n}") for n in SCALE_SIZES if model(f"personal_{n}")]
    if len(scaled) >= 2:
        work = [case["offenders_mean"] * case["days"] for case in scaled]
        exponent = _fit_exponent(list(zip(work, [case["cpu_min"] for case in scaled], strict=True)))
        _verdict(
            f"personal caseloads: CPU time ~ (offenders x days)^{exponent:.2f} over "
            f"{len(scaled)} sizes",
            exponent <= TARGET_EXPONENT,
            f"exponent <= {TARGET_EXPONENT}",
        )


def _verdict(what: str, holds: bool, target: str) -> None:
    print(f"  [{'holds' if holds else 'MISSED'}] {what} (target {target})")


if __name__ == "__main__":
    main()
