// Label values, names and namespaces that try to break out of query literals.

/** Values chosen to break out of literals: quotes, backslashes, delimiters, newlines, InfluxQL syntax. */
export const HOSTILE = [
  "it's",
  "' OR '1'='1",
  "x' OR \"pod\" =~ /.*/ OR 'y",
  '\\',
  "\\'",
  'a"b',
  '"; DROP DATABASE metrics; --',
  'a/b',
  '/.*/',
  '.*',
  'a|b',
  '${danger}',
  'line\nbreak',
  'tab\tcarriage\r',
  ') OR (true',
  '\u2028\u0000\u007f',
  'ünï©ødé 🚀',
];
