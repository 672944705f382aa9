#!/usr/bin/env python3
# Training throughput of a Netforge-generated module (model.py in the folder given) on random
# data, measured as ../shared/bench/torch_reference.py measures PyTorch's plain loop: SGD lr
# 0.01, softmax cross-entropy (Netforge's loss_fn), one warm-up pass, one timed pass. Inputs are
# NHWC, as Netforge's datasets give them. Prints one JSON line. Started by `netforge bench
# --engine torch` (src/main/engine/torch/bench.ts).
import argparse
import json
import sys
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--samples", type=int, required=True)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    sys.path.insert(0, a.model_dir)
    from model import INPUT_SHAPE, Net, loss_fn, make_optimizer

    device = torch.device(a.device)
    model = Net().to(device)
    model.train()
    opt = make_optimizer(model.parameters(), "sgd", 0.01)
    n = a.samples
    x = torch.randn(n, *INPUT_SHAPE, device=device)
    y = torch.randint(0, 10, (n,), device=device)

    def one_pass():
        for i in range(0, n, a.batch):
            opt.zero_grad(set_to_none=False)  # as runner.py does (see there)
            loss_fn(model(x[i:i + a.batch]), y[i:i + a.batch]).backward()
            opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()

    one_pass()  # warm-up, as the reference does
    t = time.perf_counter()
    one_pass()
    dt = time.perf_counter() - t
    print(json.dumps({"impl": "netforge-torch " + torch.__version__, "batch": a.batch,
                      "threads": torch.get_num_threads(), "device": a.device, "samples": n,
                      "samples_per_s": round(n / dt, 1)}))


if __name__ == "__main__":
    main()
