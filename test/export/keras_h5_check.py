"""Reads a Keras HDF5 file with h5py and NumPy only, as a check of Netforge's keras-h5 export.

    python3 keras_h5_check.py MODEL.h5 DIR

DIR holds what the test wrote from the tfjs model: x.npy (input images), expected.npy (the tfjs
model's predictions for them) and weights.json ([{"layer", "weight", "file"}], each file an .npy
of one trained weight). Prints one JSON object: the model's layers as model_config lists them,
each weight dataset's largest difference from the trained value, and the largest difference
between the tfjs predictions and a forward pass computed here from the file alone, following
Keras's semantics (TensorFlow 'same' padding, Keras's transposed-convolution sizes, moving
BatchNormalization statistics at inference).
"""
import json
import math
import os
import sys

import h5py
import numpy as np


def text(v):
    return v.decode('utf8') if hasattr(v, 'decode') else str(v)


def same_padding(n, k, s, d=1):
    """TensorFlow's 'same': output ceil(n / s), the padding split with the extra after."""
    k = (k - 1) * d + 1
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def pad(x, padding, k, s, d, value=0.0):
    if padding == 'valid':
        return x
    ph = same_padding(x.shape[1], k[0], s[0], d[0])
    pw = same_padding(x.shape[2], k[1], s[1], d[1])
    return np.pad(x, ((0, 0), ph, pw, (0, 0)), constant_values=value)


def windows(x, k, s, d):
    """im2col: [n, oh, ow, kh, kw, c], the input under each position of the window."""
    n, h, w, c = x.shape
    oh = (h - (k[0] - 1) * d[0] - 1) // s[0] + 1
    ow = (w - (k[1] - 1) * d[1] - 1) // s[1] + 1
    out = np.empty((n, oh, ow, k[0], k[1], c))
    for i in range(k[0]):
        for j in range(k[1]):
            r, q = i * d[0], j * d[1]
            out[:, :, :, i, j, :] = x[:, r:r + (oh - 1) * s[0] + 1:s[0], q:q + (ow - 1) * s[1] + 1:s[1], :]
    return out


def conv(x, kernel, cfg):
    k, s, d = kernel.shape[:2], cfg['strides'], cfg['dilation_rate']
    cols = windows(pad(x, cfg['padding'], k, s, d), k, s, d)
    return np.tensordot(cols, kernel, axes=([3, 4, 5], [0, 1, 2]))


def depthwise(x, kernel, cfg):
    """kernel [kh, kw, c, m]: output channel c * m + j, as Keras orders them."""
    k, s, d = kernel.shape[:2], cfg['strides'], cfg.get('dilation_rate', [1, 1])
    cols = windows(pad(x, cfg['padding'], k, s, d), k, s, d)
    y = np.einsum('nhwijc,ijcm->nhwcm', cols, kernel)
    return y.reshape(y.shape[:3] + (-1,))


def deconv_length(i, k, s, padding, out_pad):
    """keras.utils.conv_utils.deconv_output_length."""
    if out_pad is None:
        return i * s if padding == 'same' else i * s + max(k - s, 0)
    return (i - 1) * s + k - 2 * (k // 2 if padding == 'same' else 0) + out_pad


def conv_transpose(x, kernel, cfg):
    """tf.nn.conv2d_transpose at Keras's output size: the gradient of a convolution of that size."""
    n, h, w, _ = x.shape
    kh, kw, co, _ = kernel.shape
    s, op = cfg['strides'], cfg['output_padding'] or [None, None]
    out = [deconv_length(h, kh, s[0], cfg['padding'], op[0]), deconv_length(w, kw, s[1], cfg['padding'], op[1])]
    full = np.zeros((n, (h - 1) * s[0] + kh, (w - 1) * s[1] + kw, co))
    for a in range(kh):
        for b in range(kw):
            full[:, a:a + (h - 1) * s[0] + 1:s[0], b:b + (w - 1) * s[1] + 1:s[1], :] += np.tensordot(x, kernel[a, b], axes=([3], [1]))
    y = np.zeros((n, out[0], out[1], co))
    start = [0, 0]
    if cfg['padding'] == 'same':
        start = [max((h - 1) * s[0] + kh - out[0], 0) // 2, max((w - 1) * s[1] + kw - out[1], 0) // 2]
    rows, cols = min(out[0], full.shape[1] - start[0]), min(out[1], full.shape[2] - start[1])
    y[:, :rows, :cols, :] = full[:, start[0]:start[0] + rows, start[1]:start[1] + cols, :]
    return y


def pool(x, cfg, mode):
    k = cfg['pool_size']
    s = cfg['strides'] or k
    if mode == 'max':
        return windows(pad(x, cfg['padding'], k, s, [1, 1], -np.inf), k, s, [1, 1]).max(axis=(3, 4))
    # TensorFlow averages over the window's cells inside the input only.
    total = windows(pad(x, cfg['padding'], k, s, [1, 1]), k, s, [1, 1]).sum(axis=(3, 4))
    count = windows(pad(np.ones_like(x[:1, :, :, :1]), cfg['padding'], k, s, [1, 1]), k, s, [1, 1]).sum(axis=(3, 4))
    return total / count


def activation(x, name):
    if name == 'linear':
        return x
    if name == 'relu':
        return np.maximum(x, 0)
    if name == 'softmax':
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if name == 'sigmoid':
        return 1 / (1 + np.exp(-x))
    if name == 'tanh':
        return np.tanh(x)
    if name == 'elu':
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    if name == 'selu':
        return 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0)))
    if name == 'softplus':
        return np.logaddexp(0, x)
    if name == 'softsign':
        return x / (1 + np.abs(x))
    if name == 'swish':
        return x / (1 + np.exp(-x))
    if name == 'hard_sigmoid':
        return np.clip(0.2 * x + 0.5, 0, 1)
    raise ValueError('activation ' + name)


def apply(cls, cfg, xs, w):
    x = xs[0]
    if cls == 'Dense':
        return activation(x @ w[0] + (w[1] if cfg['use_bias'] else 0), cfg['activation'])
    if cls == 'Conv2D':
        return activation(conv(x, w[0], cfg) + (w[1] if cfg['use_bias'] else 0), cfg['activation'])
    if cls == 'DepthwiseConv2D':
        return activation(depthwise(x, w[0], cfg) + (w[1] if cfg['use_bias'] else 0), cfg['activation'])
    if cls == 'SeparableConv2D':
        y = conv(depthwise(x, w[0], cfg), w[1], dict(strides=[1, 1], dilation_rate=[1, 1], padding='valid'))
        return activation(y + (w[2] if cfg['use_bias'] else 0), cfg['activation'])
    if cls == 'Conv2DTranspose':
        return activation(conv_transpose(x, w[0], cfg) + (w[1] if cfg['use_bias'] else 0), cfg['activation'])
    if cls == 'ZeroPadding2D':
        (t, b), (l, r) = cfg['padding']
        return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    if cls == 'MaxPooling2D':
        return pool(x, cfg, 'max')
    if cls == 'AveragePooling2D':
        return pool(x, cfg, 'avg')
    if cls == 'GlobalAveragePooling2D':
        return x.mean(axis=(1, 2))
    if cls == 'BatchNormalization':
        w = list(w)
        gamma = w.pop(0) if cfg['scale'] else 1.0
        beta = w.pop(0) if cfg['center'] else 0.0
        mean, var = w
        return (x - mean) / np.sqrt(var + cfg['epsilon']) * gamma + beta
    if cls == 'Activation':
        return activation(x, cfg['activation'])
    if cls == 'ReLU':
        y = np.where(x >= cfg['threshold'], x, cfg['negative_slope'] * (x - cfg['threshold']))
        return np.minimum(y, cfg['max_value']) if cfg['max_value'] is not None else y
    if cls == 'LeakyReLU':
        return np.where(x > 0, x, cfg['alpha'] * x)
    if cls == 'Flatten':
        return x.reshape(x.shape[0], -1)
    if cls == 'Dropout':
        return x
    if cls == 'Add':
        return sum(xs)
    if cls == 'Concatenate':
        return np.concatenate(xs, axis=cfg['axis'])
    raise ValueError('layer class ' + cls)


def main(path, folder):
    f = h5py.File(path, 'r')
    model = json.loads(text(f.attrs['model_config']))
    training = json.loads(text(f.attrs['training_config']))
    layers = model['config']['layers']
    group = f['model_weights']
    layer_names = [text(n) for n in group.attrs['layer_names']]
    # As Keras's loader reads them: each layer's weight_names, in order, relative to its group.
    weights = {}
    for name in layer_names:
        g = group[name]
        weights[name] = [np.asarray(g[text(w)], dtype=np.float64) for w in g.attrs['weight_names']]

    report = {'weights': {}}
    for entry in json.load(open(os.path.join(folder, 'weights.json'))):
        key = '%s/%s/%s:0' % (entry['layer'], entry['layer'], entry['weight'])
        trained = np.load(os.path.join(folder, entry['file']))
        stored = group[key][...] if key in group else None
        report['weights'][key] = {
            'shape': list(stored.shape) if stored is not None else None,
            'max_diff': float(np.abs(stored - trained).max()) if stored is not None and stored.shape == trained.shape else None,
        }

    # Sequential: each layer takes the one before (Keras ignores inbound_nodes there).
    values = {}
    x = np.load(os.path.join(folder, 'x.npy')).astype(np.float64)
    previous = None
    for layer in layers:
        cls, cfg, name = layer['class_name'], layer['config'], layer['config']['name']
        if cls == 'InputLayer':
            values[name] = x
        else:
            inbound = [values[n[0]] for n in layer['inbound_nodes'][0]] if model['class_name'] == 'Functional' else [values[previous]]
            values[name] = apply(cls, cfg, inbound, weights.get(name, []))
        previous = name
    if model['class_name'] == 'Functional':
        out = values[model['config']['output_layers'][0][0]]
    else:
        out = values[previous]
    expected = np.load(os.path.join(folder, 'expected.npy'))

    report.update({
        'class_name': model['class_name'],
        'keras_version': text(f.attrs['keras_version']),
        'backend': text(f.attrs['backend']),
        'layers': [{'name': l['name'], 'class_name': l['class_name'], 'config_name': l['config']['name'],
                    'inbound': [[n[0] for n in node] for node in l['inbound_nodes']]} for l in layers],
        'input_layers': model['config'].get('input_layers'),
        'output_layers': model['config'].get('output_layers'),
        'layer_names': layer_names,
        'weight_names': {n: [text(w) for w in group[n].attrs['weight_names']] for n in layer_names},
        'training_config': training,
        'output_shape': list(out.shape),
        'prediction_max_diff': float(np.abs(out - expected).max()) if out.shape == expected.shape else None,
        'same_classes': int((out.argmax(-1) == expected.argmax(-1)).sum()) if out.shape == expected.shape else None,
    })
    print(json.dumps(report))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
