# Netforge's checkpoint files for the PyTorch runner (runner.py): the same files as the
# TensorFlow.js engine's (src/main/runs/checkpoint-files.ts). The weights are kept in
# TensorFlow.js's names, layouts and order (the job's `layout`, from weights.ts), so the engine
# can write the TF.js model from them; the optimizer's state and the RNG are "torch/..." tensors.
# A checkpoint is written whole into <kind>.writing, then swapped in; state.json is written last.
import json
import math
import os
import shutil

import torch


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
