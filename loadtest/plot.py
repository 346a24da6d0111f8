#!/usr/bin/env python3
"""Draws a load-test bot's per-second series as a PNG: latency percentiles (p50, p99, p99.9,
max) over every command's replies on top, throughput (replies per second) below, the warm-up
shaded, so a regression shows at a glance.

    python3 loadtest/plot.py RESULT.json OUT.png [--title TEXT]

RESULT.json is what `churn --json` (loadtest/churn.sh --json) writes: its "seconds" list, one
entry a second (t_s from the measured window's start, per_s, p50_us, p99_us, p999_us, max_us).
Needs matplotlib (pip install matplotlib); exits 2 with that advice when it is missing, and 1
when the file has no per-second series.
"""
import argparse
import json
import sys


def load_seconds(path):
    with open(path, encoding="utf-8") as f:
        result = json.load(f)
    seconds = result.get("seconds") or []
    if not seconds:
        raise ValueError(f"{path} has no per-second series (\"seconds\"): made by an older bot?")
    return result, seconds


def main(argv):
    parser = argparse.ArgumentParser(description="Plot a load-test bot's latency and throughput over time.")
    parser.add_argument("json", help="the bot's --json output")
    parser.add_argument("png", help="the PNG to write")
    parser.add_argument("--title", help="the plot's title (default: the scenario and its configuration)")
    args = parser.parse_args(argv)
    try:
        import matplotlib
    except ImportError:
        print("plot.py: needs matplotlib: pip install matplotlib (or apt-get install python3-matplotlib)", file=sys.stderr)
        return 2
    matplotlib.use("Agg")  # no display
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    try:
        result, seconds = load_seconds(args.json)
    except (OSError, ValueError) as error:
        print(f"plot.py: {error}", file=sys.stderr)
        return 1
    # A point sits in the middle of its second.
    t = [s["t_s"] + s["width_s"] / 2 for s in seconds]
    ms = lambda key: [s[key] / 1000 if s["replies"] else float("nan") for s in seconds]

    config = result.get("config", {})
    title = args.title or "{} on {}: {} groups x {} players, {:.0f} s after {:.0f} s warm-up".format(
        result.get("scenario", "load test"), config.get("url", "?"), config.get("groups", "?"), config.get("size", "?"),
        config.get("duration_s", 0), config.get("warmup_s", 0))
    figure, (latency, throughput) = plt.subplots(2, 1, sharex=True, figsize=(10, 6.5), height_ratios=[3, 2])
    figure.suptitle(title, fontsize=11)
    for key, label, style in [("max_us", "max", ":"), ("p999_us", "p99.9", "-"), ("p99_us", "p99", "-"), ("p50_us", "p50", "-")]:
        latency.plot(t, ms(key), style, marker="o", markersize=3, label=label)
    latency.set_yscale("log")
    # Plain numbers on the log axis (0.5, 2, 30), not powers of ten.
    plain = matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}")
    latency.yaxis.set_major_formatter(plain)
    latency.yaxis.set_minor_formatter(plain)
    latency.set_ylabel("reply latency (ms, log)")
    latency.legend(loc="best", ncols=4, fontsize=9, framealpha=0.9)
    latency.grid(True, which="both", alpha=0.3)

    throughput.plot(t, [s["per_s"] for s in seconds], marker="o", markersize=3, color="tab:green")
    throughput.set_ylabel("command replies / s")
    throughput.set_xlabel("seconds from the start of the measured window (shaded: warm-up)")
    throughput.set_ylim(bottom=0)
    throughput.grid(True, alpha=0.3)

    warmup_start = min(s["t_s"] for s in seconds)
    if warmup_start < 0:
        for axes in (latency, throughput):
            axes.axvspan(warmup_start, 0, color="grey", alpha=0.15, linewidth=0)
    commands = result.get("commands", {})
    if commands:
        throughput.set_title("window: {:,.0f} replies/s; {} errors".format(
            commands.get("per_s", 0), result.get("errors", {}).get("window", "?")), fontsize=9, loc="right")
    figure.tight_layout()
    figure.savefig(args.png, dpi=100)
    print(f"plot.py: wrote {args.png} ({len(seconds)} seconds)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
