#!/usr/bin/env python3
"""Reference training throughput of the digits CNN in PyTorch (CPU).

The model of examples/digits_cnn.net: a random rotation of up to 0.05 of a
turn (reflected at the borders, as Keras's RandomRotation), Conv2D(32, 3,
relu), BatchNormalization, MaxPooling2D(2), Conv2D(64, 3, relu),
MaxPooling2D(2), Flatten, Dropout(0.5), Dense(10, softmax); softmax
cross-entropy and Adam(0.001), float32, on random 28x28 images with random
labels. A warm-up epoch, then `--epochs` timed ones. Prints one JSON line:
{"reference": "torch", "samples_per_s": ..., "batch": ..., "threads": ..., "version": ...}.

usage: cnn_torch.py [--batch 64] [--samples 1024] [--epochs 2] [--threads 2]
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


class RandomRotation(torch.nn.Module):
    """Rotates each image by its own random angle in [-factor, factor] turns while training."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        if not self.training:
            return x
        angle = (torch.rand(x.shape[0]) * 2 - 1) * self.factor * 2 * math.pi
        cos, sin, zero = torch.cos(angle), torch.sin(angle), torch.zeros_like(angle)
        theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--samples", type=int, default=1024)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        RandomRotation(0.05),
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(),
        torch.nn.BatchNorm2d(32, eps=1e-3, momentum=0.01),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(1600, 10),
    )
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(args.samples, 1, 28, 28)
    y = torch.randint(0, 10, (args.samples,))

    def epoch():
        for s in range(0, args.samples, args.batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[s:s + args.batch]), y[s:s + args.batch])
            loss.backward()
            opt.step()

    epoch()  # warm-up
    t = time.perf_counter()
    for _ in range(args.epochs):
        epoch()
    secs = time.perf_counter() - t
    print(json.dumps({"reference": "torch", "samples_per_s": round(args.epochs * args.samples / secs, 1),
                      "batch": args.batch, "threads": torch.get_num_threads(), "version": torch.__version__}))


if __name__ == "__main__":
    main()
