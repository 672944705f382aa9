// README.txt of the PyTorch export: what the files are and how to use them.
import { DATASET_INFO } from '../../graph/types.ts';
import type { TrainConfig } from '../../train-config.ts';

export interface ReadmeFacts {
  title: string;
  className: string;
  inputShape: number[];
  outputShape: number[];
  probabilities: boolean;
  config: TrainConfig;
  /** True when weights.pt holds a finished run's weights, false for a design's initial ones. */
  trained: boolean;
  /** Netforge's version, for the record. */
  generator: string;
}

export function readme(f: ReadmeFacts): string {
  const ds = DATASET_INFO[f.config.dataset];
  const norm =
    f.config.dataset === 'mnist' ? 'pixel bytes / 255 (0..1)' : 'pixel bytes / 127.5 - 1 (-1..1)';
  const shape = f.inputShape.join(', ');
  return `${f.title}: PyTorch export
${'='.repeat(f.title.length + 16)}

Written by ${f.generator}. Works with PyTorch 1.13 or 2.x (python3 with torch).

Files
-----
model.py     the network as a PyTorch nn.Module (class ${f.className}, also named Net), plus
             Netforge's optimizers, learning-rate schedules and loss for training it.
weights.pt   ${f.trained ? 'the trained weights of the run' : 'the initial weights of the design (it was not trained)'}, a state_dict for
             model.load_state_dict (BatchNorm moving statistics included).
train.py     trains the network with the run's settings, on one process or under torchrun.
README.txt   this file.

Predicting
----------
    import torch
    from model import ${f.className}

    model = ${f.className}()
    model.load_state_dict(torch.load("weights.pt", map_location="cpu", weights_only=True))
    model.eval()
    with torch.no_grad():
        outputs = model(images)

images: float32 [batch, ${shape}], channels last (NHWC) as ${ds.label} comes, scaled as
Netforge scales it: ${norm}. The module turns them into
PyTorch's NCHW itself.
outputs: [batch, ${f.outputShape.join(', ')}], ${f.probabilities ? 'probabilities (the network ends in a softmax).' : 'logits (torch.softmax(outputs, -1) gives probabilities).'}

The module computes what Netforge's TensorFlow.js model computes (checked to 1e-4):
TensorFlow's 'same' padding (the odd pixel at the bottom / right), Keras's
BatchNormalization (epsilon and momentum as set, 1e-3 and 0.99 by default), and Flatten in
channels-last order, so the Dense weights are those Netforge trained.

Training
--------
One process (a CUDA GPU, Apple's MPS, or the CPU):

    python3 train.py --data-dir DATA

DATA holds ${ds.label}'s official files (${f.config.dataset === 'mnist' ? 'the four IDX files, .gz or not' : 'the binary batches of cifar-10-binary.tar.gz'}),
directly or in a ${f.config.dataset === 'mnist' ? 'mnist/' : 'cifar-10-batches-bin/'} subfolder, as for Netforge's --data-dir.
Without --data-dir, train.py looks in $NETFORGE_DATA_DIR, then in Netforge's download
cache (~/.cache/netforge/datasets), then downloads through torchvision if it is installed.

Several processes (DistributedDataParallel; gloo on the CPU, NCCL on CUDA GPUs):

    torchrun --nproc-per-node 2 train.py --data-dir DATA

Several machines (run on each, with its --node-rank; ADDR:PORT is machine 0's):

    torchrun --nnodes 2 --node-rank 0 --nproc-per-node 4 \\
        --master-addr ADDR --master-port 29500 train.py --data-dir DATA

The batch size is the global one: each of N processes takes batch / N images per step.
Rank 0 prints the epochs and saves the weights (--out, default weights-trained.pt).
Settings of the run:
${f.config.epochs} epochs, batch ${f.config.batchSize}, ${f.config.optimizer} at lr ${f.config.learningRate}${f.config.optimizer === 'sgd' && f.config.momentum > 0 ? ` with momentum ${f.config.momentum}` : ''}, ${f.config.schedule.kind} schedule${f.config.validationSplit > 0 ? `, validation split ${f.config.validationSplit}` : ''}${f.config.augment ? ', augmentation' : ''}.
Options: --epochs, --batch-size, --lr, --limit-train N, --limit-test N, --device,
--init weights.pt (start from the exported weights instead of fresh ones), --out PATH,
--dist-timeout SECONDS (how long the processes of a distributed run wait for each other;
on one machine train.py binds gloo to the loopback unless GLOO_SOCKET_IFNAME is set).
`;
}
