// Sets the Electron fuses of a packaged Netforge: switches compiled into the Electron binary that
// no command line or environment variable can undo. Run it on the packaged app's binary (or the
// .app on macOS) after packaging and before signing:
//
//   npm run set-fuses -- path/to/Netforge(.exe|.app)
//
// It flips the fuses, reads them back and exits non-zero unless every one is as configured.
// Netforge has no packaging step yet (no electron-builder); whichever packager comes must run
// this, and pack the app into app.asar (OnlyLoadAppFromAsar below).
import { pathToFileURL } from 'node:url';

import {
  FuseV1Options,
  FuseVersion,
  flipFuses,
  getCurrentFuseWire,
  type FuseV1Config,
} from '@electron/fuses';

/** Every fuse @electron/fuses knows, set on purpose (strictlyRequireAllFuses). */
export const NETFORGE_FUSES = {
  version: FuseVersion.V1,
  // A newer Electron with a fuse not listed here fails instead of keeping its default unseen.
  strictlyRequireAllFuses: true,
  // ELECTRON_RUN_AS_NODE would turn the app's binary into a plain Node for anyone. The app starts
  // its own processes as utility processes (src/main/desktop/utility-child.ts), which need no
  // such thing (child_process.fork would).
  [FuseV1Options.RunAsNode]: false,
  // Cookies and other session data on disk are encrypted with the OS's key store.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS and --inspect would let whoever starts the app inject code or debug it.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // The app's code is loaded only from app.asar, not from a loose app/ folder beside it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // Off: it needs the asar's hash written into the app by the packager (macOS, Windows), which
  // Netforge has no step for yet. Turn it on with the packager that writes it.
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: false,
  // Electron's default: no separate V8 snapshot is shipped.
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // Kept on: the page is loaded from file:// (loadFile), and its module scripts need the
  // privileges file:// pages have in Electron. Off once the page is served by a custom protocol.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: true,
  // Electron's default: WebAssembly (tfjs's wasm backend) runs with V8's trap handlers.
  [FuseV1Options.WasmTrapHandlers]: true,
} satisfies FuseV1Config;

/** The fuses of `target` that differ from NETFORGE_FUSES, as "Name: is X, should be Y". */
export async function fuseMismatches(target: string): Promise<string[]> {
  const wire = await getCurrentFuseWire(target);
  const out: string[] = [];
  for (const [key, want] of Object.entries(NETFORGE_FUSES)) {
    const index = Number(key);
    if (!Number.isInteger(index)) continue; // version, strictlyRequireAllFuses
    const state = wire[index as FuseV1Options];
    const is = state === 49 ? true : state === 48 ? false : `state ${String(state)}`;
    if (is !== want) out.push(`${FuseV1Options[index]}: is ${String(is)}, should be ${want}`);
  }
  return out;
}

/** Flips the fuses of `target` and checks them; resolves to the mismatches left (none). */
export async function setFuses(target: string): Promise<string[]> {
  await flipFuses(target, {
    ...NETFORGE_FUSES,
    // Changing the binary breaks an arm64 macOS app's ad-hoc signature; sign it again.
    resetAdHocDarwinSignature: process.platform === 'darwin',
  });
  return fuseMismatches(target);
}

async function main(args: string[]): Promise<number> {
  const [target] = args;
  if (!target || args.length !== 1) {
    console.error('Usage: npm run set-fuses -- <packaged Netforge binary, or Netforge.app>');
    return 1;
  }
  try {
    const left = await setFuses(target);
    if (left.length) {
      console.error(`Some fuses of ${target} did not take:\n  ${left.join('\n  ')}`);
      return 1;
    }
  } catch (e) {
    console.error(`Could not set the fuses of ${target}: ${(e as Error).message}`);
    return 1;
  }
  for (const [key, want] of Object.entries(NETFORGE_FUSES))
    if (Number.isInteger(Number(key))) console.log(`${FuseV1Options[Number(key)]}: ${want}`);
  console.log(`The fuses of ${target} are set.`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = await main(process.argv.slice(2));
