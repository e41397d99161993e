"""Two result files side by side, as a Markdown table:  python bench/compare.py BEFORE.json AFTER.json

Ratios are each run's own (the app against the baseline measured in the same run), so a change in
the machine's load between the two runs moves them less than it moves the absolute numbers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _ratio(entry: dict) -> str:
    if entry.get("p50_ratio") is None:
        return ""
    if entry["users"] > 1:
        return f"{entry.get('throughput_ratio')} of its req/s"
    return f"{entry['p50_ratio']}x its p50"


def table(before: dict, after: dict, labels: tuple[str, str] = ("before", "after")) -> str:
    first, second = labels
    lines = [
        f"| scenario | users | {first} req/s | {second} req/s | {first} p50 / p95 ms | {second} p50 / p95 ms "
        f"| {first} vs baseline | {second} vs baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, old in before["summary"].items():
        new = after["summary"].get(name)
        if new is None or name.startswith("baseline"):
            continue
        lines.append(
            f"| {name} | {old['users']} | {old['req_per_s']} | {new['req_per_s']} | {old['p50_ms']} / {old['p95_ms']} "
            f"| {new['p50_ms']} / {new['p95_ms']} | {_ratio(old)} | {_ratio(new)} |"
        )
    for name, old in before["summary"].items():
        new = after["summary"].get(name)
        if new is not None and name.startswith("baseline"):
            lines.append(
                f"| {name} | {old['users']} | {old['req_per_s']} | {new['req_per_s']} | {old['p50_ms']} / "
                f"{old['p95_ms']} | {new['p50_ms']} / {new['p95_ms']} | | |"
            )
    load = f"Load average during the runs: {first} {_load(before)}, {second} {_load(after)}."
    return "\n".join(lines) + "\n\n" + load + "\n"


def _load(result: dict) -> str:
    meta = result["meta"]
    return f"{meta['load_before'][0]:.2f} → {meta['load_after'][0]:.2f}"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 4):
        print(__doc__.split("\n")[0], file=sys.stderr)
        return 2
    before, after = (json.loads(Path(p).read_text()) for p in argv[:2])
    labels = (argv[2], argv[3]) if len(argv) == 4 else ("before", "after")
    print(table(before, after, labels), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
