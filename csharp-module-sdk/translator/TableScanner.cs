// The glue `mcs` cannot generate (it has no source generators): `ctx.Db.<table>` properties
// and a handle class per table, with an accessor per unique or indexed column. It is read
// from the sources before they are compiled: a small scanner finds each `[Table]` struct, its
// fields and their attributes (the module definition itself comes later, from the IL).
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Lightcone.Translator
{
    public sealed class ScannedField
    {
        public string Name, Type;
        public List<ScannedAttribute> Attributes = new List<ScannedAttribute>();
        public bool Has(string attr) { return Attributes.Any(a => a.Is(attr)); }
    }

    public sealed class ScannedAttribute
    {
        public string Name;
        public Dictionary<string, string> Args = new Dictionary<string, string>();

        public bool Is(string short_)
        {
            string n = Name.StartsWith("SpacetimeDB.") ? Name.Substring("SpacetimeDB.".Length) : Name;
            if (n.EndsWith("Attribute")) n = n.Substring(0, n.Length - "Attribute".Length);
            return n == short_;
        }

        public string Arg(string key)
        {
            string v;
            return Args.TryGetValue(key, out v) ? v : null;
        }
    }

    public sealed class ScannedTable
    {
        public string Struct;     // fully qualified: Ns.Outer.Name
        public string Namespace;
        public string Accessor, Name;
        public List<ScannedField> Fields = new List<ScannedField>();
        /// The struct's own attributes (multi-column indexes).
        public List<ScannedAttribute> Attributes = new List<ScannedAttribute>();
    }

    public static class TableScanner
    {
        static List<string> Tokens(string src)
        {
            var t = new List<string>();
            int i = 0;
            while (i < src.Length)
            {
                char c = src[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c == '/' && i + 1 < src.Length && src[i + 1] == '/') { while (i < src.Length && src[i] != '\n') i++; continue; }
                if (c == '/' && i + 1 < src.Length && src[i + 1] == '*') { i = src.IndexOf("*/", i + 2, StringComparison.Ordinal); i = i < 0 ? src.Length : i + 2; continue; }
                if (c == '#') { while (i < src.Length && src[i] != '\n') i++; continue; }
                if (c == '"' || (c == '@' && i + 1 < src.Length && src[i + 1] == '"') || (c == '$' && i + 1 < src.Length && src[i + 1] == '"'))
                {
                    bool verbatim = c == '@';
                    i += c == '"' ? 1 : 2;
                    var sb = new StringBuilder();
                    while (i < src.Length)
                    {
                        if (!verbatim && src[i] == '\\' && i + 1 < src.Length) { sb.Append(src[i + 1]); i += 2; continue; }
                        if (src[i] == '"')
                        {
                            if (verbatim && i + 1 < src.Length && src[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                            i++;
                            break;
                        }
                        sb.Append(src[i++]);
                    }
                    t.Add("\"" + sb);
                    continue;
                }
                if (c == '\'')
                {
                    i++;
                    while (i < src.Length && src[i] != '\'') i += src[i] == '\\' ? 2 : 1;
                    i++;
                    t.Add("'c");
                    continue;
                }
                if (char.IsLetterOrDigit(c) || c == '_' || c == '@')
                {
                    int start = i;
                    while (i < src.Length && (char.IsLetterOrDigit(src[i]) || src[i] == '_' || src[i] == '@')) i++;
                    t.Add(src.Substring(start, i - start).TrimStart('@'));
                    continue;
                }
                t.Add(c.ToString());
                i++;
            }
            return t;
        }

        /// Reads `[A(x = 1), B]` starting at tokens[i] == "["; returns the index after `]`.
        static int Attributes(List<string> t, int i, List<ScannedAttribute> into)
        {
            i++; // [
            while (i < t.Count && t[i] != "]")
            {
                var a = new ScannedAttribute();
                var name = new StringBuilder();
                while (i < t.Count && t[i] != "(" && t[i] != "," && t[i] != "]") name.Append(t[i++]);
                a.Name = name.ToString();
                if (a.Name.EndsWith(":")) { a.Name = ""; } // target specifiers (assembly:) are ignored
                if (i < t.Count && t[i] == "(")
                {
                    i++;
                    int depth = 1;
                    var arg = new List<string>();
                    int braces = 0;
                    while (i < t.Count && depth > 0)
                    {
                        if (t[i] == "(") depth++;
                        if (t[i] == ")") { depth--; if (depth == 0) break; }
                        if (t[i] == "{") braces++;
                        if (t[i] == "}") braces--;
                        if (t[i] == "," && depth == 1 && braces == 0) { Arg(a, arg); arg.Clear(); i++; continue; }
                        arg.Add(t[i++]);
                    }
                    Arg(a, arg);
                    i++; // )
                }
                into.Add(a);
                if (i < t.Count && t[i] == ",") i++;
            }
            return i + 1;
        }

        static void Arg(ScannedAttribute a, List<string> arg)
        {
            if (arg.Count == 0) return;
            int eq = arg.IndexOf("=");
            if (eq > 0 && arg.Skip(eq + 1).Contains("{"))
            {
                // An array: `new[] { "a", nameof(b) }` as "a,b".
                var items = new List<string>();
                var rest = arg.Skip(eq + 1).ToList();
                for (int k = 0; k < rest.Count; k++)
                {
                    if (rest[k].StartsWith("\"")) items.Add(rest[k].Substring(1));
                    else if (rest[k] == "nameof" && k + 2 < rest.Count) items.Add(rest[k + 2]);
                }
                a.Args[arg[0]] = string.Join(",", items);
            }
            else if (eq > 0)
            {
                string v = string.Concat(arg.Skip(eq + 1));
                if (arg.Count == eq + 2 && arg[eq + 1].StartsWith("\"")) v = arg[eq + 1].Substring(1);
                else if (v.StartsWith("nameof(") && v.EndsWith(")")) v = v.Substring(7, v.Length - 8).Split('.').Last();
                a.Args[arg[0]] = v;
            }
            else a.Args["_" + a.Args.Count] = string.Concat(arg);
        }

        static readonly HashSet<string> Modifiers = new HashSet<string>
        {
            "public", "private", "protected", "internal", "static", "readonly", "partial", "sealed", "abstract",
            "unsafe", "new", "volatile", "ref", "virtual", "override", "extern", "const",
        };

        /// Every `[Table]` struct in `sources`.
        public static List<ScannedTable> Scan(IEnumerable<string> sources)
        {
            var tables = new List<ScannedTable>();
            foreach (string src in sources) ScanOne(Tokens(src), tables);
            return tables;
        }

        static void ScanOne(List<string> t, List<ScannedTable> tables)
        {
            // The enclosing namespaces and types: (name, is a type, brace depth it opened at).
            var scopes = new List<KeyValuePair<string, int>>();
            var namespaces = new List<KeyValuePair<string, int>>();
            int depth = 0;
            var pending = new List<ScannedAttribute>();
            for (int i = 0; i < t.Count; i++)
            {
                string tok = t[i];
                if (tok == "[") { i = Attributes(t, i, pending) - 1; continue; }
                if (tok == "namespace")
                {
                    var name = new StringBuilder();
                    i++;
                    while (i < t.Count && t[i] != "{" && t[i] != ";") name.Append(t[i++]);
                    namespaces.Add(new KeyValuePair<string, int>(name.ToString(), depth));
                    if (i < t.Count && t[i] == "{") depth++;
                    pending.Clear();
                    continue;
                }
                if (tok == "struct" || tok == "class" || tok == "interface" || tok == "enum")
                {
                    string name = i + 1 < t.Count ? t[i + 1] : "";
                    int j = i + 2;
                    while (j < t.Count && t[j] != "{" && t[j] != ";") j++;
                    string ns = string.Join(".", namespaces.Select(n => n.Key));
                    string outer = string.Join(".", scopes.Select(s => s.Key));
                    string full = string.Join(".", new[] { ns, outer, name }.Where(s => s.Length > 0));
                    var tableAttrs = pending.Where(a => a.Is("Table")).ToList();
                    if (tok == "struct" && tableAttrs.Count > 0 && j < t.Count && t[j] == "{")
                    {
                        List<ScannedField> fields = Fields(t, j + 1);
                        foreach (ScannedAttribute a in tableAttrs)
                        {
                            string accessor = a.Arg("Accessor") ?? a.Arg("Name") ?? name;
                            tables.Add(new ScannedTable
                            {
                                Struct = full,
                                Namespace = ns,
                                Accessor = accessor,
                                Name = a.Arg("Name") ?? accessor,
                                Fields = fields,
                                Attributes = new List<ScannedAttribute>(pending),
                            });
                        }
                    }
                    pending.Clear();
                    if (j < t.Count && t[j] == "{")
                    {
                        scopes.Add(new KeyValuePair<string, int>(name, depth));
                        depth++;
                        i = j;
                    }
                    continue;
                }
                if (tok == "{") { depth++; pending.Clear(); continue; }
                if (tok == "}")
                {
                    depth--;
                    if (scopes.Count > 0 && scopes[scopes.Count - 1].Value == depth) scopes.RemoveAt(scopes.Count - 1);
                    else if (namespaces.Count > 0 && namespaces[namespaces.Count - 1].Value == depth) namespaces.RemoveAt(namespaces.Count - 1);
                    pending.Clear();
                    continue;
                }
                if (tok == ";") pending.Clear();
            }
        }

        /// The instance fields of the struct body starting at `i` (after its `{`).
        static List<ScannedField> Fields(List<string> t, int i)
        {
            var fields = new List<ScannedField>();
            var attrs = new List<ScannedAttribute>();
            while (i < t.Count && t[i] != "}")
            {
                if (t[i] == "[") { i = Attributes(t, i, attrs); continue; }
                // One member: tokens up to `;` (a field) or a `{` / `(` (a method, property, type).
                bool isStatic = false;
                var decl = new List<string>();
                int parens = 0;
                while (i < t.Count)
                {
                    string tok = t[i];
                    if (tok == "(") parens++;
                    if (tok == ")") parens--;
                    if (parens == 0 && (tok == ";" || tok == "{")) break;
                    if (tok == "static" || tok == "const") isStatic = true;
                    decl.Add(tok);
                    i++;
                }
                bool isField = i < t.Count && t[i] == ";" && !decl.Contains("(");
                if (i < t.Count && t[i] == "{")
                {
                    int depth = 0;
                    while (i < t.Count)
                    {
                        if (t[i] == "{") depth++;
                        if (t[i] == "}") { depth--; if (depth == 0) { i++; break; } }
                        i++;
                    }
                    if (i < t.Count && t[i] == ";") i++;
                    attrs = new List<ScannedAttribute>();
                    continue;
                }
                i++; // ;
                if (isField && !isStatic)
                {
                    // Modifiers, the type, then `name [= init] (, name [= init])*`.
                    var rest = decl.Where(d => !Modifiers.Contains(d)).ToList();
                    int eq = rest.IndexOf("=");
                    var head = eq < 0 ? rest : rest.Take(eq).ToList();
                    // Split declarators at top-level commas (not those inside generic arguments).
                    int angle = 0, typeEnd = -1;
                    for (int k = 0; k < head.Count; k++)
                    {
                        if (head[k] == "<") angle++;
                        if (head[k] == ">") angle--;
                        if (angle == 0 && k + 1 < head.Count && IsIdentifier(head[k + 1]) && (IsIdentifier(head[k]) || head[k] == ">" || head[k] == "]" || head[k] == "?"))
                        {
                            typeEnd = k;
                            break;
                        }
                    }
                    if (typeEnd >= 0)
                    {
                        string type = TypeText(head.Take(typeEnd + 1));
                        var names = new List<string>();
                        for (int k = typeEnd + 1; k < rest.Count; k++)
                        {
                            if (IsIdentifier(rest[k]) && (k == typeEnd + 1 || rest[k - 1] == ",")) names.Add(rest[k]);
                        }
                        foreach (string n in names)
                            fields.Add(new ScannedField { Name = n, Type = type, Attributes = new List<ScannedAttribute>(attrs) });
                    }
                }
                attrs = new List<ScannedAttribute>();
            }
            return fields;
        }

        static bool IsIdentifier(string s) { return s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_'); }

        static string TypeText(IEnumerable<string> toks)
        {
            var sb = new StringBuilder();
            foreach (string s in toks)
            {
                if (sb.Length > 0 && IsIdentifier(s) && IsIdentifier(sb[sb.Length - 1].ToString())) sb.Append(' ');
                sb.Append(s);
                if (s == ",") sb.Append(' ');
            }
            return sb.ToString();
        }

        /// The C# that gives `ctx.Db` its tables.
        public static string Glue(List<ScannedTable> tables)
        {
            var o = new StringBuilder();
            o.Append("// Generated by Lightcone's C# build (translator/TableScanner.cs) from the module's [Table] structs. Do not edit.\n");
            o.Append("using System;\nusing System.Collections.Generic;\nusing SpacetimeDB;\n");
            foreach (string ns in tables.Select(x => x.Namespace).Where(n => n.Length > 0).Distinct()) o.Append("using ").Append(ns).Append(";\n");
            o.Append("\nnamespace SpacetimeDB\n{\n    public sealed partial class Local\n    {\n");
            foreach (ScannedTable t in tables)
                o.Append("        public global::SpacetimeDB.Internal.TableHandles.").Append(t.Accessor).Append("_Handle ").Append(t.Accessor)
                 .Append(" { get { return new global::SpacetimeDB.Internal.TableHandles.").Append(t.Accessor).Append("_Handle(); } }\n");
            o.Append("    }\n}\n\nnamespace SpacetimeDB.Internal.TableHandles\n{\n");
            foreach (ScannedTable t in tables)
            {
                string row = "global::" + t.Struct;
                o.Append("    public sealed class ").Append(t.Accessor).Append("_Handle : global::SpacetimeDB.Internal.TableHandle<").Append(row).Append(">\n    {\n");
                o.Append("        static uint cachedTable;\n");
                var indexed = t.Fields.Where(f => f.Has("PrimaryKey") || f.Has("Unique") || f.Attributes.Any(a => a.Is("Index.BTree"))).ToList();
                for (int k = 0; k < indexed.Count; k++) o.Append("        static uint cachedIndex").Append(k).Append(";\n");
                o.Append("        public ").Append(t.Accessor).Append("_Handle() : base(\"").Append(t.Name).Append("\", ref cachedTable) { }\n");
                for (int k = 0; k < indexed.Count; k++)
                {
                    ScannedField f = indexed[k];
                    string index = t.Name + "_" + f.Name + "_idx_btree";
                    bool unique = f.Has("PrimaryKey") || f.Has("Unique");
                    if (unique)
                        o.Append("        public global::SpacetimeDB.Internal.UniqueIndex<").Append(row).Append(", ").Append(f.Type).Append("> ").Append(f.Name)
                         .Append(" { get { return new global::SpacetimeDB.Internal.UniqueIndex<").Append(row).Append(", ").Append(f.Type).Append(">(lcTableId, lcTableName, \"").Append(f.Name).Append("\", \"")
                         .Append(index).Append("\", ref cachedIndex").Append(k).Append("); } }\n");
                    else
                        o.Append("        public global::SpacetimeDB.Internal.BTreeIndex<").Append(row).Append(", ").Append(f.Type).Append("> ").Append(f.Name)
                         .Append(" { get { return new global::SpacetimeDB.Internal.BTreeIndex<").Append(row).Append(", ").Append(f.Type).Append(">(\"")
                         .Append(index).Append("\", ref cachedIndex").Append(k).Append("); } }\n");
                }
                int multi = 0;
                foreach (ScannedAttribute a in t.Attributes.Where(x => x.Is("Index.BTree") && x.Arg("Columns") != null))
                {
                    string[] cols = a.Arg("Columns").Split(',');
                    var types = cols.Select(c => t.Fields.FirstOrDefault(f => f.Name == c)).ToList();
                    if (cols.Length < 2 || cols.Length > 3 || types.Any(f => f == null)) continue; // refused from the IL with a reason
                    string accessor = a.Arg("Accessor") ?? string.Join("_", cols);
                    string index = t.Name + "_" + string.Join("_", cols) + "_idx_btree";
                    string type = "global::SpacetimeDB.Internal.BTreeIndex<" + row + ", " + string.Join(", ", types.Select(f => f.Type)) + ">";
                    o.Append("        static uint cachedMulti").Append(multi).Append(";\n");
                    o.Append("        public ").Append(type).Append(' ').Append(accessor).Append(" { get { return new ").Append(type)
                     .Append("(\"").Append(index).Append("\", ref cachedMulti").Append(multi).Append("); } }\n");
                    multi++;
                }
                o.Append("    }\n");
            }
            o.Append("}\n");
            return o.ToString();
        }
    }
}
