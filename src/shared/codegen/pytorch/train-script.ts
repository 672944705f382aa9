// train.py of the PyTorch export: trains the generated module (model.py) with a run's settings,
// on one process or under torchrun with DistributedDataParallel (gloo on CPU, NCCL on CUDA),
// rank 0 logging and saving. Pure: the settings come in, Python comes out.
import type { TrainConfig } from '../../train-config.ts';
import { DATA_SOURCE } from './data-source.ts';
import { py, pyText } from './python.ts';

/** The settings train.py uses, as a Python dict literal (Netforge's config.json names). */
function settings(config: TrainConfig): string {
  const keys: (keyof TrainConfig)[] = [
    'dataset', 'epochs', 'batchSize', 'optimizer', 'learningRate', 'momentum', 'schedule',
    'validationSplit', 'earlyStopping', 'seed', 'augment', 'limitTrain', 'limitTest',
  ]; // prettier-ignore
  return [
    'SETTINGS = {',
    ...keys.map((k) => `    ${JSON.stringify(k)}: ${py(config[k])},`),
    '}',
  ].join('\n');
}

export function trainScript(title: string, config: TrainConfig): string {
  return `#!/usr/bin/env python3
# Trains ${title.replace(/\s+/g, ' ')} (model.py) with the settings of its Netforge run.
#
#     python3 train.py --data-dir DATA                          # one process: CUDA, MPS or CPU
#     torchrun --nproc-per-node 2 train.py --data-dir DATA      # DistributedDataParallel
#
# Under torchrun each process trains on its share of every batch (the batch size below is
# the global one) with gloo on the CPU and NCCL on CUDA GPUs; rank 0 prints and saves.
# PyTorch 1.13 or 2.x. See README.txt.
import argparse
import datetime
import gzip
import math
import os
import socket
import struct
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from model import Net, learning_rate_at, loss_fn, make_optimizer

TITLE = ${pyText(title)}
# The run's settings (Netforge's config.json); the options below override some of them.
${settings(config)}

${DATA_SOURCE}

# ---- Training ----


def parse_args():
    s = SETTINGS
    p = argparse.ArgumentParser(description=f"Train {TITLE} as its Netforge run did.")
    p.add_argument("--data-dir", help="folder with the dataset's files (default: "
                   "$NETFORGE_DATA_DIR, then Netforge's cache, then a torchvision download)")
    p.add_argument("--epochs", type=int, default=s["epochs"])
    p.add_argument("--batch-size", type=int, default=s["batchSize"], help="global batch size")
    p.add_argument("--lr", type=float, default=s["learningRate"], help="base learning rate")
    p.add_argument("--limit-train", type=int, default=s["limitTrain"],
                   help="use only the first N training images")
    p.add_argument("--limit-test", type=int, default=s["limitTest"],
                   help="use only the first N test images")
    p.add_argument("--init", help="start from these weights (e.g. weights.pt) instead of "
                   "Keras's initialisers")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument("--out", default="weights-trained.pt", help="where rank 0 saves the weights")
    p.add_argument("--dist-timeout", type=float, default=600,
                   help="seconds the processes of a distributed run wait for each other")
    return p.parse_args()


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def bind_gloo_to_loopback():
    """On one machine (MASTER_ADDR on the loopback) gloo would otherwise bind to the address
    the host name resolves to, which may be an interface the processes cannot reach each
    other on; then they wait for each other until the timeout. GLOO_SOCKET_IFNAME wins."""
    if os.environ.get("GLOO_SOCKET_IFNAME") or os.environ.get("MASTER_ADDR") not in LOOPBACK:
        return
    names = [name for _, name in socket.if_nameindex()]
    for name in ("lo", "lo0"):
        if name in names:
            os.environ["GLOO_SOCKET_IFNAME"] = name
            return


def pick_device(choice, distributed, local_rank):
    if choice == "auto":
        if torch.cuda.is_available():
            choice = "cuda"
        elif not distributed and getattr(torch.backends, "mps", None) and \\
                torch.backends.mps.is_available():
            choice = "mps"
        else:
            choice = "cpu"
    if choice == "cuda":
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device(choice)


def all_sum(values, device, distributed):
    t = torch.tensor(values, dtype=torch.float64, device=device)
    if distributed:
        dist.all_reduce(t)
    return t.tolist()


@torch.no_grad()
def evaluate(model, images, labels, normalise, batch, device, rank, world, distributed):
    """Mean loss and accuracy over a split; each process takes every world-th sample."""
    model.eval()
    shard = torch.arange(rank, len(labels), world)
    loss_sum, correct = 0.0, 0.0
    for i in range(0, len(shard), batch):
        idx = shard[i:i + batch]
        out = model(normalise(images[idx]).to(device))
        y = labels[idx].to(device)
        loss_sum += loss_fn(out, y).item() * len(idx)
        correct += (out.argmax(-1) == y).sum().item()
    loss_sum, correct, n = all_sum([loss_sum, correct, len(shard)], device, distributed)
    return loss_sum / max(n, 1), correct / max(n, 1)


def main():
    args = parse_args()
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    distributed = world > 1
    device = pick_device(args.device, distributed, local_rank)
    if distributed:
        bind_gloo_to_loopback()
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", init_method="env://",
                                timeout=datetime.timedelta(seconds=args.dist_timeout))
    log = print if rank == 0 else (lambda *a, **k: None)
    s = SETTINGS
    torch.manual_seed(s["seed"])

    (train_x, train_y), (test_x, test_y) = load_dataset(s["dataset"], args.data_dir)
    if args.limit_train:
        train_x, train_y = train_x[:args.limit_train], train_y[:args.limit_train]
    if args.limit_test:
        test_x, test_y = test_x[:args.limit_test], test_y[:args.limit_test]
    # Validation: the last fraction of the training images, as Keras and Netforge take it.
    n_val = int(len(train_y) * s["validationSplit"])
    val_x, val_y = train_x[len(train_y) - n_val:], train_y[len(train_y) - n_val:]
    train_x, train_y = train_x[:len(train_y) - n_val], train_y[:len(train_y) - n_val]
    normalise = normaliser(s["dataset"])
    black = normalise(torch.zeros(1, dtype=torch.uint8)).item()
    augmenting = s["augment"] and s["dataset"] == "cifar10"

    model = Net()
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu", weights_only=True))
    model.to(device)
    net = model
    if distributed:
        net = DistributedDataParallel(model, device_ids=[local_rank] if device.type == "cuda" else None)
    optimizer = make_optimizer(net.parameters(), s["optimizer"], args.lr, s["momentum"])
    batch = max(1, args.batch_size // world)
    sampler = DistributedSampler(range(len(train_y)), num_replicas=world, rank=rank,
                                 shuffle=True, seed=s["seed"])
    generator = torch.Generator().manual_seed(s["seed"] * 1000 + rank)
    log(f"{TITLE} on {s['dataset']}: {len(train_y)} training, {n_val} validation and "
        f"{len(test_y)} test images; {world} process(es) on {device}, {batch} images each per "
        f"step; {s['optimizer']} from lr {args.lr}"
        + (f" with momentum {s['momentum']}" if s["optimizer"] == "sgd" and s["momentum"] else ""),
        flush=True)

    best, since_best = None, 0
    patience = s["earlyStopping"]
    for epoch in range(args.epochs):
        started = time.time()
        lr = learning_rate_at(args.lr, s["schedule"], epoch, args.epochs)
        for group in optimizer.param_groups:
            group["lr"] = lr
        sampler.set_epoch(epoch)
        order = torch.tensor(list(iter(sampler)), dtype=torch.long)
        net.train()
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        correct = torch.zeros((), dtype=torch.float64, device=device)
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            x = normalise(train_x[idx])
            if augmenting:
                x = augment(x, black, generator)
            x, y = x.to(device, non_blocking=True), train_y[idx].to(device, non_blocking=True)
            out = net(x)
            loss = loss_fn(out, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach() * len(idx)
            correct += (out.argmax(-1) == y).sum()
        loss_sum, correct, seen = all_sum([loss_sum.item(), correct.item(), len(order)],
                                          device, distributed)
        if not math.isfinite(loss_sum):
            raise SystemExit(f"The loss became {loss_sum} in epoch {epoch + 1}: training "
                             "diverged. Lower the learning rate (--lr) and start again.")
        line = f"epoch {epoch + 1}/{args.epochs}  loss {loss_sum / seen:.4f}  " \\
               f"accuracy {correct / seen:.4f}"
        monitored = loss_sum / seen
        if n_val:
            val_loss, val_acc = evaluate(model, val_x, val_y, normalise, batch, device, rank,
                                         world, distributed)
            line += f"  val_loss {val_loss:.4f}  val_accuracy {val_acc:.4f}"
            monitored = val_loss
        log(f"{line}  lr {lr:.6g}  {time.time() - started:.1f} s", flush=True)
        if patience:
            if best is None or monitored < best - patience["minDelta"]:
                best, since_best = monitored, 0
            else:
                since_best += 1
            if since_best >= patience["patience"] and epoch + 1 < args.epochs:
                log(f"early stop: no improvement for {since_best} epochs", flush=True)
                break

    test_loss, test_acc = evaluate(model, test_x, test_y, normalise, batch, device, rank, world,
                                   distributed)
    log(f"test loss {test_loss:.4f}  test accuracy {test_acc:.4f}", flush=True)
    if rank == 0:
        torch.save(model.state_dict(), args.out)
        log(f"saved the weights to {args.out}", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
}
