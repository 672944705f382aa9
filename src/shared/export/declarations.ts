// Every export format's declaration, one import per format: importing this module declares them
// all (formats.ts keeps the table).
import './formats.ts';
