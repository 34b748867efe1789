/**
 * Escaping of literal template delimiters for Helm templates.
 *
 * Helm renders every file under a chart's templates/ with Go's text/template (helm/helm v4.1.4
 * `pkg/engine/engine.go`), whose actions start with `{{`. edgewatt's output holds literal `{{` of its own:
 * Prometheus rule annotations (`{{ $labels.instance }}`), Alertmanager templates, Grafana legend formats. Each
 * literal `{{` becomes the action `{{ "{{" }}`, which prints the string `{{`; a lone `}}` outside an action is
 * plain text to text/template, so it stays. The render of an escaped text is therefore the text itself
 * (test/helm/render.test.ts proves it with the real Helm on every file of the demo stack).
 */

/** The action that prints a literal `{{`. */
export const LITERAL_OPEN = '{{ "{{" }}';

/** `text` with every literal `{{` escaped so that Helm renders it back unchanged. */
export function escapeTemplateText(text: string): string {
  return text.split('{{').join(LITERAL_OPEN);
}

/** What Helm renders from an escaped text with no other actions (the inverse of escapeTemplateText). */
export function unescapeTemplateText(text: string): string {
  return text.split(LITERAL_OPEN).join('{{');
}
