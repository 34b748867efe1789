import { findCredentials } from '../core/credentials';
import { formatPath, Problem } from '../core/errors';

/**
 * The fix for a credential found at a stack path: the contract field that takes a Secret reference instead,
 * or where the credential belongs when the contract takes none. First match wins.
 */
const FIXES: ReadonlyArray<[RegExp, string]> = [
  [/^gitops\.repoURL$/, 'give Argo CD the repository credentials in a repository Secret (label argocd.argoproj.io/secret-type: repository) created outside Git, and write the URL without them'],
  [/^clusters\[\d+\]\.server$/, 'give Argo CD the cluster credentials in a cluster Secret (label argocd.argoproj.io/secret-type: cluster) created outside Git, and write the URL without them'],
  [/\.receivers\[\d+\]\.webhook\.url$/, 'write the URL without credentials and put the token in a Secret named by tokenSecret'],
  [/\.receivers\[\d+\]\.slack\b/, 'put the webhook URL in a Secret named by slack.apiURLSecret'],
  [/^energy\.modelServer\./, 'serve the models from a URL without credentials (a bucket or server the model server can read without them)'],
  [/^fleet\.workloads\[\d+\]\.env\./, 'remove it: workload env is written to Git in the EdgeWorkload; provide the credential on the device from a Secret created outside Git (the contract has no Secret reference for workload env)'],
  [/runbookBaseURL$/, 'write the URL without credentials: runbook links are shown to everyone who sees an alert'],
  [/^dashboards\./, 'keep it in the Secret named by dashboards.adminSecret (or another Secret created outside Git)'],
];

const DEFAULT_FIX = 'keep it in a Secret created outside Git and give the contract field that takes a Secret reference its name';

/**
 * Credentials anywhere in a stack (every string, by value and by name), as problems naming the field path
 * and the fix. Run on the input as given, before defaults. `skip`: paths not searched (what an earlier search found
 * clean). @default none
 */
export function credentialProblems(
  input: unknown,
  locate?: (path: ReadonlyArray<PropertyKey>) => string | undefined,
  skip?: (path: ReadonlyArray<string | number>) => boolean,
): Problem[] {
  return findCredentials(input, skip).map((h) => {
    const path = formatPath(h.path);
    const fix = FIXES.find(([re]) => re.test(path))?.[1] ?? DEFAULT_FIX;
    const location = locate?.(h.path);
    return { path, ...(location ? { location } : {}), message: `${h.what}: credentials must not be in the stack (it is committed to Git): ${fix} (secret-in-git)` };
  });
}
