#!/usr/bin/env python3
# Netforge's PyTorch runner: trains the module Netforge generated for a graph (model.py, beside
# it in the run's torch/ folder) as the TensorFlow.js engine would, and speaks the engine
# protocol. Started by src/main/engine/torch/ with the path of its job (job.json).
#
# stdout carries only protocol lines, one JSON object each:
#   {"kind": "event", "event": TrainingEvent}    batch, epoch, checkpoint (src/shared/events.ts)
#   {"kind": "done", "status": ..., "step": ..., "epochs": ..., "testLoss": ..., "testAccuracy": ...}
#   {"kind": "error", "code": "E_...", "message": "..."}
# Everything else Python or a library prints goes to stderr. stdin takes {"type": "pause" |
# "resume" | "stop"} lines; its end (the engine is gone) stops the run with a checkpoint.
#
# Checkpoints are Netforge's (netforge_checkpoint.py).
#
# Distributed (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set, as torchrun sets
# them): DistributedDataParallel, gloo on the CPU, NCCL on CUDA. Every process takes the same
# shuffled order and trains on its share of each global batch (the batch size is the global
# one); rank 0 alone reads stdin, speaks the protocol and writes checkpoints, and tells the
# others to stop through the per-step all-reduce of the loss. PyTorch 1.13 or 2.x.
import json
import math
import os
import sys
import threading
import time

RANK = int(os.environ.get("RANK", "0"))
WORLD = int(os.environ.get("WORLD_SIZE", "1"))
LOCAL_RANK = int(os.environ.get("LOCAL_RANK", "0"))
PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # C libraries writing to fd 1 land on stderr too
sys.stdout = sys.stderr

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402


def send(kind, **fields):
    if RANK != 0:  # only rank 0 speaks the protocol
        return
    PROTOCOL.write(json.dumps({"kind": kind, **fields}, allow_nan=False) + "\n")
    PROTOCOL.flush()


def event(e):
    send("event", event=e)


def finite(x):
    return x if x is not None and math.isfinite(x) else None


class Control:
    """pause / resume / stop from stdin, checked between batches (as the engine's RunControl).
    Only rank 0 reads stdin; the other ranks learn of a stop from rank 0 (see train)."""

    def __init__(self, listen):
        self.stop = False
        self.running = threading.Event()
        self.running.set()
        if listen:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in sys.stdin:
            try:
                kind = json.loads(line).get("type")
            except ValueError:
                continue
            if kind == "pause" and not self.stop:
                self.running.clear()
            elif kind == "resume":
                self.running.set()
            elif kind == "stop":
                self.stop = True
                self.running.set()
        self.stop = True  # the engine is gone: stop with a checkpoint
        self.running.set()


# ---- Training ----


def evaluate(model, images, labels, normalise, batch, device, loss_fn):
    """Mean loss and accuracy over a split."""
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            out = model(normalise(images[i:i + batch]).to(device))
            y = labels[i:i + batch].to(device)
            loss_sum += loss_fn(out, y).item() * len(y)
            correct += (out.argmax(-1) == y).sum().item()
    model.train()
    n = max(len(labels), 1)
    return loss_sum / n, correct / n


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def start_distributed(device, timeout):
    """gloo would otherwise bind to the address the host name resolves to, which may be an
    interface the processes cannot reach each other on (train-script.ts's bind_gloo_to_loopback)."""
    import datetime
    import socket
    if not os.environ.get("GLOO_SOCKET_IFNAME") and os.environ.get("MASTER_ADDR") in LOOPBACK:
        names = [name for _, name in socket.if_nameindex()]
        for name in ("lo", "lo0"):
            if name in names:
                os.environ["GLOO_SOCKET_IFNAME"] = name
                break
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo", init_method="env://",
                            timeout=datetime.timedelta(seconds=timeout))


def replica_spread(model):
    """The largest difference between this replica's weights and rank 0's (0: identical)."""
    flat = torch.cat([p.detach().reshape(-1).float() for p in model.state_dict().values()
                      if p.is_floating_point()])
    reference = flat.clone()
    dist.broadcast(reference, 0)
    spread = (flat - reference).abs().max().reshape(1)
    dist.all_reduce(spread, op=dist.ReduceOp.MAX)
    return spread.item()


def train(job, control):
    sys.path.insert(0, job["torchDir"])
    import netforge_data as data
    from model import Net, learning_rate_at, loss_fn, make_optimizer
    from netforge_checkpoint import load_checkpoint, save_checkpoint

    c = job["config"]
    distributed = WORLD > 1
    device = torch.device(job["device"])
    if device.type == "cuda" and distributed:
        torch.cuda.set_device(LOCAL_RANK)
        device = torch.device("cuda", LOCAL_RANK)
    if distributed:
        start_distributed(device, job.get("distTimeout", 600))
    torch.manual_seed(c["seed"])
    (train_x, train_y), (test_x, test_y) = data.load_dataset(c["dataset"], job["dataDir"])
    if c["limitTrain"]:
        train_x, train_y = train_x[:c["limitTrain"]], train_y[:c["limitTrain"]]
    if c["limitTest"]:
        test_x, test_y = test_x[:c["limitTest"]], test_y[:c["limitTest"]]
    n_val = int(len(train_y) * c["validationSplit"])  # the last fraction, as Keras takes it
    val_x, val_y = train_x[len(train_y) - n_val:], train_y[len(train_y) - n_val:]
    train_x, train_y = train_x[:len(train_y) - n_val], train_y[:len(train_y) - n_val]
    normalise = data.normaliser(c["dataset"])
    black = normalise(torch.zeros(1, dtype=torch.uint8)).item()
    augmenting = c["augment"] and c["dataset"] == "cifar10"

    model = Net().to(device)
    optimizer = make_optimizer(model.parameters(), c["optimizer"], c["learningRate"], c["momentum"])
    layout = job["layout"]
    state = {"epoch": 0, "batchInEpoch": 0, "step": 0, "best": None, "sinceBest": 0, "history": []}
    if job["resumeFrom"]:
        state = load_checkpoint(job["resumeFrom"], model, optimizer, layout)
    net = model
    if distributed:  # DDP starts every replica from rank 0's weights
        from torch.nn.parallel import DistributedDataParallel
        net = DistributedDataParallel(model, device_ids=[LOCAL_RANK] if device.type == "cuda" else None)
    model.train()

    def checkpoint(kind):
        if RANK != 0:
            return
        path = job["checkpoints"][kind]
        save_checkpoint(path, model, optimizer, state, layout)
        event({"type": "checkpoint", "kind": kind, "epoch": state["epoch"], "step": state["step"],
               "path": path})

    def finish(status):
        return status, state, model, (test_x, test_y), normalise, device, loss_fn

    n, batch = len(train_y), c["batchSize"]
    steps = math.ceil(n / batch)
    epochs = c["epochs"]
    min_interval = 1 / job.get("batchEventsPerSecond", 20)
    last_event = 0.0
    run_start = time.perf_counter()
    steps_at_start = state["step"]
    status = "completed"
    stop = False
    while state["epoch"] < epochs:
        epoch = state["epoch"]
        lr = learning_rate_at(c["learningRate"], c["schedule"], epoch, epochs)
        for group in optimizer.param_groups:
            group["lr"] = lr
        # The epoch's order and augmentation depend only on (seed, epoch, batch): a resumed run
        # sees the batches it would have seen, and every replica the same global batches.
        order = torch.randperm(n, generator=torch.Generator().manual_seed(c["seed"] * 100_003 + epoch))
        epoch_start = time.perf_counter()
        loss_sum = acc_sum = 0.0
        seen = 0
        while state["batchInEpoch"] < steps:
            if not control.running.is_set():
                paused_at = time.perf_counter()
                control.running.wait()
                run_start += time.perf_counter() - paused_at
                epoch_start += time.perf_counter() - paused_at
            if stop or (control.stop and not distributed):
                checkpoint("last")
                return finish("stopped")
            b = state["batchInEpoch"]
            whole = order[b * batch:(b + 1) * batch]
            idx = whole[RANK::WORLD]  # this replica's share of the global batch
            x = normalise(train_x[idx])
            if augmenting:
                g = torch.Generator().manual_seed((c["seed"] * 100_003 + epoch) * 100_003 + b)
                x = data.augment(normalise(train_x[whole]), black, g)[RANK::WORLD]
            x, y = x.to(device, non_blocking=True), train_y[idx].to(device, non_blocking=True)
            out = net(x)
            loss = loss_fn(out, y)
            # Zeroed in place, as torch_reference.py's loop does with 1.13's default (2.x frees
            # them): freed buffers measured 2-3x slower on LeNet-5 while this machine was busy,
            # within noise of in-place when it was quiet; in place is never the slower one.
            optimizer.zero_grad(set_to_none=False)
            loss.backward()
            optimizer.step()
            correct = (out.argmax(-1) == y).sum()
            if distributed:
                # The global batch's loss and accuracy, and rank 0's stop (acted on next step).
                stats = torch.stack([loss.detach() * len(idx), correct.float(),
                                     torch.tensor(float(len(idx)), device=device),
                                     torch.tensor(float(control.stop), device=device)])
                dist.all_reduce(stats)
                loss_value, accuracy = (stats[0] / stats[2]).item(), (stats[1] / stats[2]).item()
                stop = stats[3].item() > 0
            else:
                loss_value, accuracy = loss.item(), correct.item() / len(idx)
            if not math.isfinite(loss_value):
                send("error", code="E_NAN_LOSS", message=(
                    f"The loss became {loss_value} at epoch {epoch + 1}, step {state['step'] + 1}: "
                    "training diverged. Lower the learning rate (or add BatchNormalization) and "
                    "start again; the last good checkpoint is kept."))
                sys.exit(3)
            state["step"] += 1
            state["batchInEpoch"] += 1
            loss_sum += loss_value * len(whole)
            acc_sum += accuracy * len(whole)
            seen += len(whole)
            now = time.perf_counter()
            if now - last_event >= min_interval or b == steps - 1:
                last_event = now
                per_step = (now - run_start) / max(1, state["step"] - steps_at_start)
                remaining = (epochs - epoch - 1) * steps + (steps - b - 1)
                event({"type": "batch", "epoch": epoch + 1, "step": state["step"],
                       "batchInEpoch": b + 1, "stepsPerEpoch": steps, "loss": finite(loss_value),
                       "accuracy": finite(accuracy), "learningRate": lr,
                       "samplesPerSecond": seen / max(1e-6, now - epoch_start),
                       "etaSeconds": remaining * per_step})
        # Every replica evaluates the whole split: the same weights give the same numbers.
        val = evaluate(model, val_x, val_y, normalise, batch, device, loss_fn) if n_val else None
        record = {"epoch": epoch + 1,
                  "loss": finite(loss_sum / seen) if seen else None,
                  "accuracy": finite(acc_sum / seen) if seen else None,
                  "valLoss": finite(val[0]) if val else None,
                  "valAccuracy": finite(val[1]) if val else None,
                  "learningRate": lr, "seconds": time.perf_counter() - epoch_start}
        state["history"].append(record)
        event({"type": "epoch", "step": state["step"], **record})
        monitored = record["valLoss"] if record["valLoss"] is not None else record["loss"]
        monitored = math.inf if monitored is None else monitored
        early = c["earlyStopping"]
        improved = state["best"] is None or monitored < state["best"] - (early or {}).get("minDelta", 0)
        if improved:
            state["best"], state["sinceBest"] = monitored, 0
        else:
            state["sinceBest"] += 1
        # The saved state points at the next epoch, so resuming starts there.
        state["epoch"], state["batchInEpoch"] = epoch + 1, 0
        checkpoint("last")
        if improved:
            checkpoint("best")
        if early and state["sinceBest"] >= early["patience"] and state["epoch"] < epochs:
            status = "early-stopped"
            break
    return finish(status)


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    control = Control(listen=RANK == 0)
    try:
        status, state, model, (test_x, test_y), normalise, device, loss_fn = train(job, control)
        test_loss, test_acc = evaluate(model, test_x, test_y, normalise, job["config"]["batchSize"],
                                       device, loss_fn)
        if WORLD > 1:
            spread = replica_spread(model)
            if RANK == 0 and job.get("replicasFile"):
                with open(job["replicasFile"], "w") as f:
                    json.dump({"world": WORLD, "step": state["step"], "maxDifference": spread}, f)
            dist.destroy_process_group()
    except SystemExit as e:
        # netforge_data's readers end with SystemExit("what is wrong with which file").
        if isinstance(e.code, str):
            send("error", code="E_DATA_MISSING", message=e.code)
            sys.exit(3)
        raise
    send("done", status=status, step=state["step"], epochs=len(state["history"]),
         testLoss=finite(test_loss), testAccuracy=finite(test_acc))


if __name__ == "__main__":
    main()
