// The Python that reads MNIST and CIFAR-10 as Netforge does (src/main/engine/datasets/): the
// official files in a folder (or its mnist/ and cifar-10-batches-bin/ subfolders), gzipped or
// not, else Netforge's download cache, else torchvision; normalised as Netforge's batches.ts
// (MNIST / 255, CIFAR-10 to [-1, 1]), with its augmentation (CIFAR-10: a shift of up to 4 px
// filled with black, and a horizontal flip). Part of train.py.

export const DATA_SOURCE = `
# ---- Data, as Netforge reads it ----

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
CIFAR_TRAIN = ["data_batch_%d.bin" % i for i in range(1, 6)]
SUBFOLDER = {"mnist": "mnist", "cifar10": "cifar-10-batches-bin"}
MARKER = {"mnist": "train-images-idx3-ubyte", "cifar10": "test_batch.bin"}


def find_file(folder, name):
    """The path of name or name.gz in folder, or None."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    return None


def read_bytes(path):
    """A file's bytes, inflated if they are gzip (the content decides, not the name)."""
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\\x1f\\x8b" else data


def read_idx(path, magic):
    data = read_bytes(path)
    (found,) = struct.unpack(">I", data[:4])
    if found != magic:
        raise SystemExit(f"{path} is not an MNIST IDX file (magic {found}, expected {magic}); "
                         "replace it with the original file.")
    rank = found & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    size = math.prod(dims)
    body = data[4 + 4 * rank:4 + 4 * rank + size]
    if len(body) < size:
        raise SystemExit(f"{path} is cut short (truncated download?); download it again.")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(dims)


def read_mnist(folder, split):
    images_name, labels_name = MNIST_FILES[split]
    paths = [find_file(folder, n) for n in (images_name, labels_name)]
    if None in paths:
        raise SystemExit(f"MNIST {images_name} or {labels_name} (.gz) is missing in {folder}.")
    images = read_idx(paths[0], 2051).unsqueeze(-1)  # [n, 28, 28, 1], HWC as Netforge holds it
    return images, read_idx(paths[1], 2049).long()


def read_cifar(paths):
    records = torch.cat([torch.frombuffer(bytearray(read_bytes(p)), dtype=torch.uint8)
                         for p in paths]).reshape(-1, 3073)
    # Each record: a label byte, then 1024 red, 1024 green and 1024 blue bytes.
    images = records[:, 1:].reshape(-1, 3, 32, 32).permute(0, 2, 3, 1).contiguous()
    return images, records[:, 0].long()


def locate(root, dataset):
    for folder in (os.path.join(root, SUBFOLDER[dataset]), root):
        if find_file(folder, MARKER[dataset]):
            return folder
    return None


def default_cache():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "netforge", "datasets")


def from_torchvision(dataset, root):
    """The dataset through torchvision (downloaded into root), when its files are nowhere."""
    try:
        import torchvision
    except ImportError:
        return None
    cls = torchvision.datasets.MNIST if dataset == "mnist" else torchvision.datasets.CIFAR10
    splits = []
    for train in (True, False):
        ds = cls(root=root, train=train, download=True)
        images = torch.as_tensor(ds.data, dtype=torch.uint8)
        if images.dim() == 3:
            images = images.unsqueeze(-1)
        splits.append((images, torch.as_tensor(ds.targets).long()))
    return splits[0], splits[1]


def load_dataset(dataset, data_dir):
    """(train images, labels), (test images, labels): uint8 [n, h, w, c] and int64 [n]."""
    named = data_dir or os.environ.get("NETFORGE_DATA_DIR")
    folder = locate(named or default_cache(), dataset)
    if folder is None and not named:
        found = from_torchvision(dataset, os.path.join(default_cache(), "torchvision"))
        if found:
            return found
    if folder is None:
        where = named or default_cache()
        raise SystemExit(
            f"No {dataset} files in {where} or its {SUBFOLDER[dataset]}/ subfolder. Put the "
            "official files there (MNIST's four IDX files; CIFAR-10's binary batches) and pass "
            "--data-dir, or install torchvision to download them.")
    if dataset == "mnist":
        return read_mnist(folder, "train"), read_mnist(folder, "test")
    train = [p for p in (find_file(folder, n) for n in CIFAR_TRAIN) if p]
    if not train:
        raise SystemExit(f"No CIFAR-10 training batch (data_batch_1..5.bin) in {folder}.")
    return read_cifar(train), read_cifar([find_file(folder, "test_batch.bin")])


def normaliser(dataset):
    """Bytes -> floats as Netforge's batches: MNIST / 255, CIFAR-10 to [-1, 1] (in float64,
    then float32, as the TypeScript lookup table computes them)."""
    values = torch.arange(256, dtype=torch.float64)
    table = (values / 255 if dataset == "mnist" else values / 127.5 - 1).float()
    return lambda images: table[images.long()]


def augment(x, black, generator):
    """Netforge's CIFAR-10 augmentation of a float NHWC batch: each image shifted by -4..4 px
    on each axis (filled with black) and flipped horizontally with probability 1/2."""
    n = x.shape[0]
    shifts = (torch.randint(0, 9, (n, 2), generator=generator) - 4).tolist()
    flips = (torch.rand(n, generator=generator) < 0.5).tolist()
    return shift_and_flip(x, black, shifts, flips)


def shift_and_flip(x, black, shifts, flips):
    """As Netforge's makeBatch: image i at (row, col) takes pixel (row + dy, col + dx) of its
    source, mirrored left-right first when flips[i], black outside; shifts[i] = (dy, dx)."""
    _, h, w, _ = x.shape
    padded = F.pad(x.permute(0, 3, 1, 2), (4, 4, 4, 4), value=black)
    out = []
    for i, ((dy, dx), flip) in enumerate(zip(shifts, flips)):
        # Flipping the padded image flips the source: the padding is the same on both sides.
        image = padded[i].flip(-1) if flip else padded[i]
        out.append(image[:, 4 + dy:4 + dy + h, 4 + dx:4 + dx + w])
    return torch.stack(out).permute(0, 2, 3, 1).contiguous()
`.trimStart();
