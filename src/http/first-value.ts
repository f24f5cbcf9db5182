/**
 * Parses a query string or a form body (`a=1&b=2`) keeping the first value of a repeated field, as the Go
 * original did: Gin binds `form.Get(name)`, so `platform=a&platform=c` means platform `a`. Pipelines that append
 * fields in a loop send such bodies. Used for both query strings and forms, so every endpoint agrees; JSON bodies
 * never come here, and a JSON array where a string belongs stays a 400.
 */
export function parseFirstValues(text: string): Record<string, string> {
  // The platform's URLSearchParams decodes as browsers and Go's url.ParseQuery do ('+' is a space); a
  // prototype-less object keeps a field named __proto__ an ordinary field.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(text)) {
    if (!(name in fields)) fields[name] = value;
  }
  return fields;
}
