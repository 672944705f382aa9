/** Replaced at build time by electron.vite.config.ts (`preload.define`). */
declare const __NETFORGE_VERSION__: string;
