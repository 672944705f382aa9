// Every export format's declaration, one line each (a format = its file in this folder, a line
// here, its writer in engine/export/ and a line in WRITERS). Import the formats from here, so
// that each is declared before it is asked for.
import './tfjs.ts';
import './onnx.ts';
import './keras-h5.ts';
import './keras-py.ts';
import './pytorch.ts';

export * from './formats.ts';
