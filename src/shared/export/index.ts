// Every export format's declaration, one line each: importing this module declares them all
// (formats.ts's formatInfo and checkExport then know them).
export * from './formats.ts';
import './pytorch.ts';
