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
# Checkpoints are Netforge's (src/main/runs/checkpoint-files.ts): the weights in TensorFlow.js's
# names, layouts and order (so the engine can write the TF.js model from them), the optimizer's
# state and the RNG as "torch/..." tensors, state.json; written whole, then swapped in.
# PyTorch 1.13 or 2.x.
import json
import math
import os
import sys
import threading
import time

PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # C libraries writing to fd 1 land on stderr too
sys.stdout = sys.stderr

import torch  # noqa: E402


def send(kind, **fields):
    PROTOCOL.write(json.dumps({"kind": kind, **fields}, allow_nan=False) + "\n")
    PROTOCOL.flush()


def event(e):
    send("event", event=e)


def finite(x):
    return x if x is not None and math.isfinite(x) else None


class Control:
    """pause / resume / stop from stdin, checked between batches (as the engine's RunControl)."""

    def __init__(self):
        self.stop = False
        self.running = threading.Event()
        self.running.set()
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


# ---- Checkpoints: Netforge's files, written atomically, the folder swapped in whole ----


def write_atomic(path, data):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_tensors(folder, stem, tensors):
    """stem.bin: float32 little-endian values one tensor after another; stem.json: names, shapes."""
    flat = [t.detach().to("cpu", torch.float32).contiguous().reshape(-1) for _, t in tensors]
    values = torch.cat(flat) if flat else torch.zeros(0)
    write_atomic(os.path.join(folder, stem + ".bin"), values.numpy().astype("<f4").tobytes())
    specs = [{"name": name, "shape": list(t.shape)} for name, t in tensors]
    write_atomic(os.path.join(folder, stem + ".json"), json.dumps(specs).encode())


def read_tensors(folder, stem):
    with open(os.path.join(folder, stem + ".json")) as f:
        specs = json.load(f)
    with open(os.path.join(folder, stem + ".bin"), "rb") as f:
        values = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    out, o = {}, 0
    for s in specs:
        n = math.prod(s["shape"])
        out[s["name"]] = values[o:o + n].reshape(s["shape"]).clone()
        o += n
    return out, [s["name"] for s in specs]


def swap_in(tmp, folder):
    """As checkpoint-files.ts: the old folder becomes .old, the new one takes its name."""
    import shutil
    old = folder + ".old"
    if os.path.exists(folder):
        shutil.rmtree(old, ignore_errors=True)
        os.rename(folder, old)
    os.rename(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def to_tfjs(t, entry):
    """A state_dict tensor in TensorFlow.js's layout (weights.ts's toTfjs)."""
    perm = entry["perm"]
    inverse = [perm.index(i) for i in range(len(perm))]
    return t.detach().reshape([entry["tfShape"][a] for a in perm]).permute(inverse)


def to_torch(t, entry):
    return t.reshape(entry["tfShape"]).permute(entry["perm"]).reshape(entry["shape"])


def save_checkpoint(folder, model, optimizer, state, layout):
    import shutil
    tmp = folder + ".writing"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    sd = model.state_dict()
    write_tensors(tmp, "weights", [(e["name"], to_tfjs(sd[e["key"]], e)) for e in layout])
    opt = optimizer.state_dict()
    slots = [("torch/rng", torch.get_rng_state().float())]
    for index in sorted(opt["state"]):
        for key, value in sorted(opt["state"][index].items()):
            if value is None:
                continue
            value = value if torch.is_tensor(value) else torch.tensor(float(value))
            slots.append((f"torch/{index}/{key}", value))
    write_tensors(tmp, "optimizer", slots)
    write_atomic(os.path.join(tmp, "state.json"), json.dumps(state, indent=1).encode())
    swap_in(tmp, folder)


def load_checkpoint(folder, model, optimizer, layout):
    weights, _ = read_tensors(folder, "weights")
    sd = model.state_dict()
    for e in layout:
        sd[e["key"]] = to_torch(weights[e["name"]], e)
    model.load_state_dict(sd)
    slots, _ = read_tensors(folder, "optimizer")
    opt = optimizer.state_dict()
    opt["state"] = {}
    for name, value in slots.items():
        if name == "torch/rng":
            torch.set_rng_state(value.to(torch.uint8))
            continue
        _, index, key = name.split("/", 2)
        opt["state"].setdefault(int(index), {})[key] = value
    optimizer.load_state_dict(opt)
    with open(os.path.join(folder, "state.json")) as f:
        return json.load(f)


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


def train(job, control):
    sys.path.insert(0, job["torchDir"])
    import netforge_data as data
    from model import Net, learning_rate_at, loss_fn, make_optimizer

    c = job["config"]
    device = torch.device(job["device"])
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
    model.train()

    def checkpoint(kind):
        path = job["checkpoints"][kind]
        save_checkpoint(path, model, optimizer, state, layout)
        event({"type": "checkpoint", "kind": kind, "epoch": state["epoch"], "step": state["step"],
               "path": path})

    n, batch = len(train_y), c["batchSize"]
    steps = math.ceil(n / batch)
    epochs = c["epochs"]
    min_interval = 1 / job.get("batchEventsPerSecond", 20)
    last_event = 0.0
    run_start = time.perf_counter()
    steps_at_start = state["step"]
    status = "completed"
    while state["epoch"] < epochs:
        epoch = state["epoch"]
        lr = learning_rate_at(c["learningRate"], c["schedule"], epoch, epochs)
        for group in optimizer.param_groups:
            group["lr"] = lr
        # The epoch's order and augmentation depend only on (seed, epoch, batch): a resumed run
        # sees the batches it would have seen.
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
            if control.stop:
                checkpoint("last")
                return "stopped", state, model, (test_x, test_y), normalise, device, loss_fn
            b = state["batchInEpoch"]
            idx = order[b * batch:(b + 1) * batch]
            x = normalise(train_x[idx])
            if augmenting:
                g = torch.Generator().manual_seed((c["seed"] * 100_003 + epoch) * 100_003 + b)
                x = data.augment(x, black, g)
            x, y = x.to(device, non_blocking=True), train_y[idx].to(device, non_blocking=True)
            out = model(x)
            loss = loss_fn(out, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                send("error", code="E_NAN_LOSS", message=(
                    f"The loss became {loss_value} at epoch {epoch + 1}, step {state['step'] + 1}: "
                    "training diverged. Lower the learning rate (or add BatchNormalization) and "
                    "start again; the last good checkpoint is kept."))
                sys.exit(3)
            accuracy = (out.argmax(-1) == y).float().mean().item()
            state["step"] += 1
            state["batchInEpoch"] += 1
            loss_sum += loss_value * len(idx)
            acc_sum += accuracy * len(idx)
            seen += len(idx)
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
    return status, state, model, (test_x, test_y), normalise, device, loss_fn


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    control = Control()
    try:
        status, state, model, (test_x, test_y), normalise, device, loss_fn = train(job, control)
        test_loss, test_acc = evaluate(model, test_x, test_y, normalise, job["config"]["batchSize"],
                                       device, loss_fn)
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
