"""Time the Landscape dock's surface: a 64×64 grid of the loss over two parameters, evaluated in batch.

For each case the grid is computed as the dock computes it (``LandscapeEvaluator.grid``, the model's
own forward pass over a stack of 4,096 parameter sets), around the parameters after a short training
run. A figure is the median over runs, in milliseconds.

Usage::

    python benchmarks/bench_landscape.py [--repeat 7]
"""

import argparse
import statistics
import time

import numpy as np

from playground.landscape import LandscapeEvaluator, default_coordinates, follow_range
from playground.presets import load_preset
from playground.trainer import Trainer

CASES = (
    ("linear, 1,000 points", "noisy-line", {}, 1000),
    ("polynomial (degree 3), 1,000 points", "quadratic", {"model": "polynomial", "degree": 3}, 1000),
    ("sine preset, MLP 1→16→16→1", "sine", {}, None),
    ("step preset, MLP", "step", {}, None),
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{'case':40} {'points':>7} {'64×64 grid, median ms':>22}")
    for title, preset_name, changes, n_points in CASES:
        preset = load_preset(preset_name, n_points=n_points) if n_points else load_preset(preset_name)
        config = preset.config.replace(**changes) if changes else preset.config
        trainer = Trainer(config, preset.points)
        trainer.run(50)
        snapshot = trainer.snapshot()
        coordinates = default_coordinates(snapshot.params)
        values = np.array([[c.value(snapshot.params) for c in coordinates]])
        ranges = follow_range(values)
        evaluator = LandscapeEvaluator()
        evaluator.grid(trainer.config, trainer.points, snapshot.params, coordinates, ranges, size=64)  # warm up
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            evaluator.grid(trainer.config, trainer.points, snapshot.params, coordinates, ranges, size=64)
            times.append((time.perf_counter() - began) * 1000)
        print(f"{title:40} {len(trainer.points):>7,} {statistics.median(times):>22.1f}")


if __name__ == "__main__":
    main()
