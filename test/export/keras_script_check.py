"""Runs parts of a generated Keras script without TensorFlow, as a check of Netforge's keras-py.

    python3 keras_script_check.py SCRIPT.py...

Executes the script's top-level constants and functions (not its imports, not main()) against
stand-ins for keras and keras.layers that record every layer made: its class, its arguments and
the layers it is called on. Prints one JSON object: those layers in order, the model's output
layer and the class of model built (Sequential or Model), and the learning rate of each epoch
when the script defines a schedule; a list of them for several scripts.
"""
import ast
import json
import math
import sys
import types

made = []


class Tensor:
    def __init__(self, layer):
        self.layer = layer


class Layer:
    def __init__(self, cls, args, kwargs):
        self.record = {'class_name': cls, 'args': list(args), 'kwargs': kwargs, 'inbound': []}
        made.append(self.record)

    def __call__(self, x):
        xs = x if isinstance(x, list) else [x]
        self.record['inbound'] = [t.layer.record['kwargs']['name'] for t in xs]
        return Tensor(self)


class LayersModule:
    def __getattr__(self, cls):
        return lambda *args, **kwargs: Layer(cls, args, kwargs)


def Input(shape, name):
    return Tensor(Layer('InputLayer', (), {'shape': shape, 'name': name}))


def Sequential(items, name):
    previous = items[0]
    for layer in items[1:]:
        previous = layer(previous)
    return {'model': 'Sequential', 'name': name, 'output': previous.layer.record['kwargs']['name']}


def Model(inputs, outputs, name):
    return {'model': 'Model', 'name': name, 'output': outputs.layer.record['kwargs']['name']}


def check(path):
    made.clear()
    tree = ast.parse(open(path).read(), path)
    # Constants and function definitions only: no imports, no `if __name__ == '__main__'`.
    body = [n for n in tree.body if isinstance(n, (ast.Assign, ast.FunctionDef))]
    keras = types.SimpleNamespace(Input=Input, Sequential=Sequential, Model=Model)
    env = {'keras': keras, 'layers': LayersModule(), 'math': math}
    exec(compile(ast.Module(body=body, type_ignores=[]), path, 'exec'), env)
    model = env['build_model']()
    rates = [env['learning_rate'](e) for e in range(env['EPOCHS'])] if 'learning_rate' in env else None
    functions = [n.name for n in body if isinstance(n, ast.FunctionDef)]
    return {'layers': list(made), 'model': model, 'learning_rates': rates, 'functions': functions}


if __name__ == '__main__':
    print(json.dumps([check(path) for path in sys.argv[1:]]))
