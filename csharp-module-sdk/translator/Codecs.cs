// BSATN encoders and decoders in C, one pair per type a module stores or takes as an argument,
// written from the type's IL layout: numbers little-endian, bool as a byte, strings as u32
// length + UTF-8, structs field by field, enums as their u8 variant tag, Nullable<T> as an
// option (tag 0 some, 1 none), arrays and List<T> as u32 count + elements.
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Mono.Cecil;

namespace Lightcone.Translator
{
    public sealed class Codecs
    {
        readonly Translator tr;
        readonly TypeSystem types;
        readonly HashSet<TypeInfo> done = new HashSet<TypeInfo>();
        readonly StringBuilder protos = new StringBuilder();
        readonly StringBuilder bodies = new StringBuilder();

        public Codecs(Translator tr)
        {
            this.tr = tr;
            types = tr.Types;
        }

        public string Prototypes { get { return protos.ToString(); } }
        public string Bodies { get { return bodies.ToString(); } }

        static readonly Dictionary<string, int> Sizes = new Dictionary<string, int>
        {
            { "System.Boolean", 1 }, { "System.SByte", 1 }, { "System.Byte", 1 }, { "System.Int16", 2 }, { "System.UInt16", 2 },
            { "System.Int32", 4 }, { "System.UInt32", 4 }, { "System.Int64", 8 }, { "System.UInt64", 8 },
            { "System.Single", 4 }, { "System.Double", 8 },
        };

        public static string Writer(TypeInfo t) { return "BW_" + t.Name; }
        public static string Reader(TypeInfo t) { return "BR_" + t.Name; }

        /// Makes sure `t` has an encoder and decoder; refuses what BSATN cannot carry.
        public void Require(TypeInfo t, string where)
        {
            if (!done.Add(t)) return;
            string ct = t.CType;
            protos.Append("static int32_t ").Append(Writer(t)).Append("(void** buf, int32_t len, ").Append(ct).Append(" v);\n");
            protos.Append("static ").Append(ct).Append(' ').Append(Reader(t)).Append("(void* buf, int32_t* at, int32_t len);\n");
            var w = new StringBuilder();
            var r = new StringBuilder();
            w.Append("static int32_t ").Append(Writer(t)).Append("(void** buf, int32_t len, ").Append(ct).Append(" v)\n{\n");
            r.Append("static ").Append(ct).Append(' ').Append(Reader(t)).Append("(void* buf, int32_t* at, int32_t len)\n{\n    ")
             .Append(ct).Append(" v;\n    memset(&v, 0, sizeof v);\n");
            int size;
            if (t.IsString)
            {
                w.Append("    return lc_bw_string(buf, len, v);\n");
                r.Append("    v = lc_br_string(buf, at, len);\n");
            }
            else if (t.IsEnum)
            {
                var consts = t.Def.Fields.Where(f => f.IsLiteral && f.IsStatic).ToList();
                w.Append("    uint8_t tag;\n    switch ((int64_t)v) {");
                r.Append("    uint8_t tag;\n    if (!lc_br_raw(buf, at, len, &tag, 1)) return v;\n    switch (tag) {");
                for (int i = 0; i < consts.Count; i++)
                {
                    long value = System.Convert.ToInt64(consts[i].Constant);
                    w.Append(" case ").Append(value).Append("LL: tag = ").Append(i).Append("; break;");
                    r.Append(" case ").Append(i).Append(": v = (").Append(ct).Append(")").Append(value).Append("LL; break;");
                }
                w.Append(" default: tag = 0; break; }\n    return lc_bw_raw(buf, len, &tag, 1);\n");
                r.Append(" default: lc_throw(lc_make_Exception(lc_string_from_utf8(\"BSATN: unknown enum tag\", 23))); break; }\n");
            }
            else if (Sizes.TryGetValue(t.FullName, out size))
            {
                if (t.FullName == "System.Boolean")
                {
                    w.Append("    uint8_t b = v ? 1 : 0;\n    return lc_bw_raw(buf, len, &b, 1);\n");
                    r.Append("    uint8_t b = 0;\n    lc_br_raw(buf, at, len, &b, 1);\n    v = b != 0;\n");
                }
                else
                {
                    w.Append("    return lc_bw_raw(buf, len, &v, ").Append(size).Append(");\n");
                    r.Append("    lc_br_raw(buf, at, len, &v, ").Append(size).Append(");\n");
                }
            }
            else if (t.FullName.StartsWith("System.Nullable`1"))
            {
                TypeInfo inner = types.Get(((GenericInstanceType)t.Ref).GenericArguments[0]);
                Require(inner, where);
                string has = t.Fields[0].CName, val = t.Fields[1].CName;
                w.Append("    uint8_t tag = v.").Append(has).Append(" ? 0 : 1;\n    len = lc_bw_raw(buf, len, &tag, 1);\n    if (v.").Append(has)
                 .Append(") len = ").Append(Writer(inner)).Append("(buf, len, v.").Append(val).Append(");\n    return len;\n");
                r.Append("    uint8_t tag = 1;\n    if (!lc_br_raw(buf, at, len, &tag, 1)) return v;\n    if (tag == 0) { v.").Append(has).Append(" = 1; v.")
                 .Append(val).Append(" = ").Append(Reader(inner)).Append("(buf, at, len); }\n");
            }
            else if (t.IsArray)
            {
                TypeInfo e = t.Element;
                Require(e, where);
                tr.Construct(t);
                w.Append("    if (!v) { lc_throw_null(); return len; }\n    uint32_t n = (uint32_t)((lc_array*)v)->length;\n    len = lc_bw_raw(buf, len, &n, 4);\n");
                w.Append("    for (uint32_t i = 0; i < n && !lc_exc; i++) len = ").Append(Writer(e)).Append("(buf, len, LC_ARRAY_AT(v, ").Append(e.CType).Append(", i));\n    return len;\n");
                r.Append("    uint32_t n = 0;\n    if (!lc_br_raw(buf, at, len, &n, 4)) return v;\n    if (n > (uint32_t)(len - *at)) { lc_throw(lc_make_Exception(lc_string_from_utf8(\"BSATN: an array longer than its bytes\", 37))); return v; }\n");
                r.Append("    v = lc_new_array(&").Append(t.Descriptor).Append(", (int32_t)n);\n");
                r.Append("    for (uint32_t i = 0; i < n && !lc_exc; i++) LC_ARRAY_AT(v, ").Append(e.CType).Append(", i) = ").Append(Reader(e)).Append("(buf, at, len);\n");
            }
            else if (t.FullName.StartsWith("System.Collections.Generic.List`1"))
            {
                TypeInfo e = types.Get(((GenericInstanceType)t.Ref).GenericArguments[0]);
                TypeInfo arr = types.Get(new ArrayType(e.Ref));
                Require(e, where);
                tr.Construct(t);
                tr.Construct(arr);
                tr.RequireLayout(t);
                FieldInfo items = t.Fields.First(f => f.Def.Name == "items"), count = t.Fields.First(f => f.Def.Name == "size");
                string self = "((struct " + t.StructName + "*)v)";
                w.Append("    if (!v) { lc_throw_null(); return len; }\n    uint32_t n = (uint32_t)").Append(self).Append("->").Append(count.CName).Append(";\n    len = lc_bw_raw(buf, len, &n, 4);\n");
                w.Append("    for (uint32_t i = 0; i < n && !lc_exc; i++) len = ").Append(Writer(e)).Append("(buf, len, LC_ARRAY_AT(").Append(self).Append("->")
                 .Append(items.CName).Append(", ").Append(e.CType).Append(", i));\n    return len;\n");
                r.Append("    uint32_t n = 0;\n    if (!lc_br_raw(buf, at, len, &n, 4)) return v;\n    if (n > (uint32_t)(len - *at)) { lc_throw(lc_make_Exception(lc_string_from_utf8(\"BSATN: a list longer than its bytes\", 35))); return v; }\n");
                r.Append("    v = lc_new(&").Append(t.Descriptor).Append(");\n    void* items = lc_new_array(&").Append(arr.Descriptor).Append(", (int32_t)n);\n");
                r.Append("    for (uint32_t i = 0; i < n && !lc_exc; i++) LC_ARRAY_AT(items, ").Append(e.CType).Append(", i) = ").Append(Reader(e)).Append("(buf, at, len);\n");
                r.Append("    ((struct ").Append(t.StructName).Append("*)v)->").Append(items.CName).Append(" = items;\n    ((struct ").Append(t.StructName).Append("*)v)->")
                 .Append(count.CName).Append(" = (int32_t)n;\n");
            }
            else if (t.IsValueType && t.PrimitiveCType == null)
            {
                tr.RequireLayout(t);
                w.Append("    (void)v;\n");
                foreach (FieldInfo f in t.Fields)
                {
                    TypeInfo ft = FieldType(f, where);
                    Require(ft, where);
                    if (ModuleDef.IsOption(f))
                    {
                        // Option: tag 0 and the value when set, tag 1 for null.
                        w.Append("    { uint8_t tag = v.").Append(f.CName).Append(" ? 0 : 1; len = lc_bw_raw(buf, len, &tag, 1); if (!tag) len = ")
                         .Append(Writer(ft)).Append("(buf, len, v.").Append(f.CName).Append("); }\n");
                        r.Append("    { uint8_t tag = 1; if (lc_br_raw(buf, at, len, &tag, 1) && tag == 0) v.").Append(f.CName).Append(" = ")
                         .Append(Reader(ft)).Append("(buf, at, len); }\n");
                        continue;
                    }
                    w.Append("    len = ").Append(Writer(ft)).Append("(buf, len, v.").Append(f.CName).Append(");\n");
                    r.Append("    v.").Append(f.CName).Append(" = ").Append(Reader(ft)).Append("(buf, at, len);\n");
                }
                w.Append("    return len;\n");
            }
            else if (ModuleDef.Variants(t) != null)
            {
                // A tagged enum: the variant's position, then its payload.
                List<TypeDefinition> variants = ModuleDef.Variants(t);
                w.Append("    if (!v) { lc_throw_null(); return len; }\n    const lc_type* ty = ((lc_header*)v)->type;\n");
                r.Append("    uint8_t tag = 0;\n    if (!lc_br_raw(buf, at, len, &tag, 1)) return v;\n    switch (tag) {\n");
                for (int i = 0; i < variants.Count; i++)
                {
                    TypeInfo vt = types.Get(variants[i]);
                    tr.Construct(vt);
                    tr.RequireLayout(vt);
                    string self = "((struct " + vt.StructName + "*)v)";
                    w.Append("    if (ty == &").Append(vt.Descriptor).Append(") {\n        uint8_t tag = ").Append(i).Append(";\n        len = lc_bw_raw(buf, len, &tag, 1);\n");
                    r.Append("    case ").Append(i).Append(":\n        v = lc_new(&").Append(vt.Descriptor).Append(");\n");
                    foreach (FieldInfo f in vt.Fields)
                    {
                        TypeInfo ft = FieldType(f, where);
                        Require(ft, where);
                        w.Append("        len = ").Append(Writer(ft)).Append("(buf, len, ").Append(self).Append("->").Append(f.CName).Append(");\n");
                        r.Append("        ").Append(self).Append("->").Append(f.CName).Append(" = ").Append(Reader(ft)).Append("(buf, at, len);\n");
                    }
                    w.Append("        return len;\n    }\n");
                    r.Append("        break;\n");
                }
                w.Append("    lc_throw(lc_make_Exception(lc_string_from_utf8(\"BSATN: a value of an abstract [Type] class that is none of its variants\", 71)));\n    return len;\n");
                r.Append("    default:\n        lc_throw(lc_make_Exception(lc_string_from_utf8(\"BSATN: unknown variant tag\", 26)));\n    }\n");
                w.Append("}\n");
                r.Append("    return v;\n}\n");
                bodies.Append(w).Append(r);
                return;
            }
            else
            {
                throw new BuildError(where + ": " + t.FullName + " cannot be stored in a table or passed to a reducer (supported: numbers, bool, string, [Type] structs and enums, abstract [Type] classes with nested variant classes, Nullable<T>, arrays, List<T>, Identity, ConnectionId, Timestamp, TimeDuration, ScheduleAt)");
            }
            w.Append("}\n");
            r.Append("    return v;\n}\n");
            bodies.Append(w).Append(r);
        }

        readonly HashSet<TypeInfo> generated = new HashSet<TypeInfo>();

        /// The function that reads an insert's written-back auto_inc values into a row.
        public string Generated(TypeInfo t)
        {
            string name = "BG_" + t.Name;
            if (!generated.Add(t)) return name;
            protos.Append("static void ").Append(name).Append("(void* row, void* buf, int32_t len);\n");
            var g = new StringBuilder("static void " + name + "(void* row, void* buf, int32_t len)\n{\n    int32_t at = 0;\n    (void)at; (void)buf; (void)len;\n");
            foreach (FieldInfo f in t.Fields)
            {
                if (!f.Def.CustomAttributes.Any(a => a.AttributeType.FullName == "SpacetimeDB.AutoIncAttribute")) continue;
                TypeInfo ft = FieldType(f, t.FullName);
                Require(ft, t.FullName);
                g.Append("    if (at < len) ((struct ").Append(t.StructName).Append("*)row)->").Append(f.CName).Append(" = ").Append(Reader(ft)).Append("(buf, &at, len);\n");
            }
            g.Append("}\n");
            bodies.Append(g);
            return name;
        }

        TypeInfo FieldType(FieldInfo f, string where)
        {
            if (f.Type.IsPointer || f.Type.IsByReference)
                throw new BuildError(where + ": field " + f.Def.Name + " is a pointer");
            return types.Get(f.Type);
        }
    }
}
