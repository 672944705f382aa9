// Every export format's declaration, one line each: importing this module declares them all
// (formatInfo and checkExport find a format only once its file has run).
import './keras-h5.ts';
import './keras-py.ts';

export * from './formats.ts';
