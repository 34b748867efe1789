/**
 * Runs before each test file (jest `setupFiles`): `edgewatt synth` run by a test synthesizes in its own process, as in
 * CI, and starts no synth daemon (lib/cli/daemon) that would outlive the test; test/cli/synth-daemon.test.ts turns it
 * on for its own runs.
 */
process.env.EDGEWATT_DAEMON = 'off';
