// The translation of a program: which methods and types are reachable (a worklist from the
// entry points), and the C file that holds them: layouts, type descriptors, virtual tables
// and interface maps, statics and their static constructors, string literals, method bodies.
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Mono.Cecil;

namespace Lightcone.Translator
{
    public sealed class Translator
    {
        public readonly TypeSystem Types;
        public readonly Symbols Symbols = new Symbols();
        readonly Queue<MethodInst> work = new Queue<MethodInst>();
        readonly HashSet<MethodInst> required = new HashSet<MethodInst>();
        readonly List<MethodInst> emittedOrder = new List<MethodInst>();
        readonly Dictionary<MethodInst, string> bodies = new Dictionary<MethodInst, string>();
        readonly HashSet<TypeInfo> descriptors = new HashSet<TypeInfo>();
        readonly HashSet<TypeInfo> layouts = new HashSet<TypeInfo>();
        readonly HashSet<TypeInfo> statics = new HashSet<TypeInfo>();
        readonly HashSet<TypeInfo> constructed = new HashSet<TypeInfo>();
        readonly HashSet<MethodInst> thunks = new HashSet<MethodInst>();
        readonly Dictionary<string, string> literals = new Dictionary<string, string>();
        readonly StringBuilder literalCode = new StringBuilder();
        readonly Dictionary<FieldDefinition, string> initialData = new Dictionary<FieldDefinition, string>();
        readonly List<string> caches = new List<string>();
        public int LastInitialDataSize;

        public Translator(ModuleDefinition corlib) { Types = new TypeSystem(corlib); }

        /// Set when translating a module: the BSATN codecs its types need.
        Codecs codecs;
        ModuleDef moduleDef;

        public static bool IsCompilerCache(FieldInfo f)
        {
            return f.Def.Name.StartsWith("<") || f.Def.Name.Contains("$") || f.Def.DeclaringType.Name.StartsWith("<");
        }

        // ---- reachability ----

        public void Require(MethodInst m)
        {
            if (!required.Add(m)) return;
            work.Enqueue(m);
            RequireLayout(m.Declaring);
            if (m.Def.IsStatic && m.Declaring.Cctor != null) RequireStatics(m.Declaring);
        }

        public void RequireLayout(TypeInfo t)
        {
            if (!layouts.Add(t)) return;
            if (t.Base != null) RequireLayout(t.Base);
            foreach (FieldInfo f in t.Fields)
                if (!f.Type.IsByReference && !f.Type.IsPointer) RequireLayout(Types.Get(f.Type));
            if (t.IsArray) RequireLayout(t.Element);
        }

        public void RequireDescriptor(TypeInfo t)
        {
            if (!descriptors.Add(t)) return;
            RequireLayout(t);
            if (t.Base != null) RequireDescriptor(t.Base);
            if (t.IsArray) RequireDescriptor(t.Element);
        }

        public void RequireStatics(TypeInfo t)
        {
            if (!statics.Add(t)) return;
            RequireLayout(t);
            foreach (FieldInfo f in t.StaticFields)
                if (!f.Type.IsByReference && !f.Type.IsPointer) RequireLayout(Types.Get(f.Type));
            if (t.Cctor != null) Require(Types.Method(t.Cctor, t, null));
        }

        /// Instances of `t` exist: its virtual table and interface maps are needed, and every
        /// method they name.
        public void Construct(TypeInfo t)
        {
            RequireDescriptor(t);
            if (!constructed.Add(t)) return;
            if (t.IsInterface) return;
            if (t.IsArray)
            {
                Construct(t.Base);
                foreach (KeyValuePair<TypeInfo, List<MethodInst>> e in ArrayInterfaces(t))
                {
                    RequireDescriptor(e.Key);
                    foreach (MethodInst impl in e.Value) Require(impl);
                }
                return;
            }
            foreach (MethodInst v in Types.VTable(t))
                if (!v.Def.IsAbstract) { Require(v); if (v.Declaring.IsValueType) thunks.Add(v); }
            foreach (TypeInfo i in Types.Interfaces(t))
            {
                RequireDescriptor(i);
                foreach (MethodInst im in Types.InterfaceMethods(i))
                {
                    MethodInst impl = Types.Implementation(t, im);
                    if (impl == null || impl.Def.IsAbstract) continue;
                    Require(impl);
                    if (impl.Declaring.IsValueType) thunks.Add(impl);
                }
            }
        }

        static readonly string[] ArrayInterfaceNames =
        {
            "System.Collections.Generic.IList`1", "System.Collections.Generic.ICollection`1",
            "System.Collections.Generic.IEnumerable`1", "System.Collections.Generic.IReadOnlyList`1",
            "System.Collections.Generic.IReadOnlyCollection`1",
        };

        readonly Dictionary<TypeInfo, List<KeyValuePair<TypeInfo, List<MethodInst>>>> arrayInterfaces = new Dictionary<TypeInfo, List<KeyValuePair<TypeInfo, List<MethodInst>>>>();

        /// The interfaces a T[] implements, each with its methods' implementations in
        /// SZArrayHelper<T> (corlib/Collections/ArrayInterfaces.cs).
        List<KeyValuePair<TypeInfo, List<MethodInst>>> ArrayInterfaces(TypeInfo array)
        {
            List<KeyValuePair<TypeInfo, List<MethodInst>>> found;
            if (arrayInterfaces.TryGetValue(array, out found)) return found;
            found = new List<KeyValuePair<TypeInfo, List<MethodInst>>>();
            arrayInterfaces[array] = found;
            TypeDefinition helperDef = Types.Corlib.GetType("System.Collections.Generic", "SZArrayHelper`1");
            var helperRef = new GenericInstanceType(helperDef);
            helperRef.GenericArguments.Add(array.Element.Ref);
            TypeInfo helper = Types.Get(helperRef);
            var ifaces = new List<TypeInfo>();
            foreach (string name in ArrayInterfaceNames)
            {
                TypeDefinition def = Types.Corlib.GetType(name);
                if (def == null) continue;
                var r = new GenericInstanceType(def);
                r.GenericArguments.Add(array.Element.Ref);
                ifaces.Add(Types.Get(r));
            }
            ifaces.Add(Types.Get("System.Collections", "IEnumerable"));
            foreach (TypeInfo i in ifaces)
            {
                var impls = new List<MethodInst>();
                foreach (MethodInst im in Types.InterfaceMethods(i))
                {
                    string name = i.FullName == "System.Collections.IEnumerable" ? "NonGenericGetEnumerator" : im.Def.Name;
                    MethodDefinition md = helperDef.Methods.FirstOrDefault(x => x.Name == name && x.Parameters.Count == im.Def.Parameters.Count + 1);
                    if (md == null) throw new BuildError("arrays cannot serve " + i.FullName + "." + im.Def.Name);
                    impls.Add(Types.Method(md, helper, null));
                }
                found.Add(new KeyValuePair<TypeInfo, List<MethodInst>>(i, impls));
            }
            return found;
        }

        public void RequireVirtual(MethodInst m) { RequireDescriptor(m.Declaring); }
        public void RequireInterfaceUse(MethodInst m) { RequireDescriptor(m.Declaring); }

        public void RegisterCache(TypeInfo t, FieldInfo f)
        {
            string place = "&" + t.StaticsName + "." + f.CName;
            if (!caches.Contains(place) && Types.Get(f.Type).PrimitiveCType == null && !Types.Get(f.Type).IsValueType) caches.Add(place);
        }

        public bool IsNoThrow(MethodInst m)
        {
            if (IsInternal(m)) return Intrinsics.IsNoThrow(m);
            return false;
        }

        static bool IsInternal(MethodInst m)
        {
            return m.Def.IsInternalCall || (m.Def.ImplAttributes & MethodImplAttributes.InternalCall) != 0;
        }

        /// The static method that builds a string for `new string(...)` with these parameters.
        public MethodInst StringCtor(MethodInst ctor)
        {
            TypeInfo s = ctor.Declaring;
            foreach (MethodDefinition md in s.Def.Methods)
            {
                if (md.Name != "Ctor" || md.Parameters.Count != ctor.Def.Parameters.Count) continue;
                bool same = true;
                for (int i = 0; i < md.Parameters.Count; i++)
                    if (md.Parameters[i].ParameterType.FullName != ctor.Def.Parameters[i].ParameterType.FullName) same = false;
                if (same) return Types.Method(md, s, null);
            }
            throw new BuildError("this string constructor is not supported: " + ctor.Def.FullName);
        }

        public string StringLiteral(string s)
        {
            string name;
            if (literals.TryGetValue(s, out name)) return name;
            name = "str_" + literals.Count;
            literals[s] = name;
            var chars = string.Join(", ", s.Select(c => ((int)c).ToString()));
            literalCode.Append("static struct { lc_header hdr; int32_t length; uint16_t chars[" + (s.Length + 1) + "]; } " + name +
                               " = { { &lc_string_type, LC_OBJ_PERSISTENT }, " + s.Length + ", { " + (s.Length == 0 ? "0" : chars + ", 0") + " } };\n");
            RequireDescriptor(Types.Get("System", "String"));
            return name;
        }

        public string InitialData(FieldDefinition f)
        {
            string name;
            LastInitialDataSize = f.InitialValue.Length;
            if (initialData.TryGetValue(f, out name)) return name;
            name = "init_" + initialData.Count;
            initialData[f] = name;
            literalCode.Append("static const _Alignas(8) unsigned char " + name + "[] = { " + string.Join(", ", f.InitialValue.Select(b => b.ToString())) + " };\n");
            return name;
        }

        // ---- signatures ----

        string ReturnType(MethodInst m)
        {
            TypeReference ret = m.Context.Resolve(m.Def.ReturnType);
            return Types.CType(ret);
        }

        IEnumerable<string> ParamTypes(MethodInst m)
        {
            foreach (ParameterDefinition p in m.Def.Parameters) yield return Types.CType(m.Context.Resolve(p.ParameterType));
        }

        public string Signature(MethodInst m)
        {
            var ps = new List<string>();
            if (m.Def.HasThis) ps.Add("void* self");
            int i = 0;
            foreach (string t in ParamTypes(m)) ps.Add(t + " a" + i++);
            return "static " + ReturnType(m) + " " + m.CName + "(" + (ps.Count == 0 ? "void" : string.Join(", ", ps)) + ")";
        }

        public string FnPointerType(MethodInst m)
        {
            var ps = new List<string>();
            if (m.Def.HasThis) ps.Add("void*");
            ps.AddRange(ParamTypes(m));
            return ReturnType(m) + "(*)(" + (ps.Count == 0 ? "void" : string.Join(", ", ps)) + ")";
        }

        /// What a delegate or vtable calls for `m`: the method, or for a value type's instance
        /// method a thunk that unboxes `this`.
        public string DelegateEntry(MethodInst m)
        {
            if (m.Def.HasThis && m.Declaring.IsValueType)
            {
                thunks.Add(m);
                return "TH_" + m.CName;
            }
            return m.CName;
        }

        // ---- bodies ----

        public void Run()
        {
            while (work.Count > 0)
            {
                MethodInst m = work.Dequeue();
                emittedOrder.Add(m);
                bodies[m] = Body(m);
            }
        }

        string Body(MethodInst m)
        {
            MethodDefinition d = m.Def;
            if (IsInternal(m) && m.Def.DeclaringType.FullName == "SpacetimeDB.Internal.Bsatn")
            {
                if (codecs == null) throw new BuildError("in " + Naming.Display(d) + ": BSATN is only available in modules");
                TypeInfo t = Types.Get(m.MethodArgs[0]);
                codecs.Require(t, Naming.Display(d));
                string call = m.Def.Name == "Write" ? "return " + Codecs.Writer(t) + "(a0, a1, a2);"
                            : m.Def.Name == "ReadGenerated" ? codecs.Generated(t) + "(a0, a1, a2);"
                            : "return " + Codecs.Reader(t) + "(a0, a1, a2);";
                return Signature(m) + "\n{\n    " + call + "\n}\n";
            }
            if (IsInternal(m))
            {
                string b = Intrinsics.Body(m);
                if (b == null) throw new BuildError("in " + Naming.Display(d) + ": this corlib method has no implementation in the runtime");
                return Signature(m) + "\n{\n    " + b + "\n}\n";
            }
            if (m.Declaring.IsDelegate && d.IsRuntime) return DelegateBody(m);
            if (d.IsAbstract) return null;
            if (!d.HasBody)
            {
                if (d.IsPInvokeImpl) throw new BuildError("in " + Naming.Display(d) + ": P/Invoke (DllImport) is not supported in modules");
                throw new BuildError("in " + Naming.Display(d) + ": extern method without an implementation");
            }
            var e = new MethodEmitter(this, m);
            return e.Patch(e.Emit());
        }

        string DelegateBody(MethodInst m)
        {
            if (m.Def.IsConstructor)
                return Signature(m) + "\n{\n    ((lc_delegate*)self)->target = a0;\n    ((lc_delegate*)self)->function = (void*)a1;\n}\n";
            if (m.Def.Name != "Invoke")
                throw new BuildError("in " + Naming.Display(m.Def) + ": asynchronous delegate calls (BeginInvoke/EndInvoke) are not supported");
            var ps = new List<string>();
            var args = new List<string>();
            int i = 0;
            foreach (string t in ParamTypes(m)) { ps.Add(t); args.Add("a" + i++); }
            string ret = ReturnType(m);
            string withTarget = ret + "(*)(" + string.Join(", ", new[] { "void*" }.Concat(ps)) + ")";
            string without = ret + "(*)(" + (ps.Count == 0 ? "void" : string.Join(", ", ps)) + ")";
            string r = ret == "void" ? "" : "return ";
            var sb = new StringBuilder(Signature(m)).Append("\n{\n");
            sb.Append("    lc_delegate* d = self;\n");
            sb.Append("    if (!d) { lc_throw_null(); ").Append(ret == "void" ? "return;" : "{ " + ret + " z; memset(&z, 0, sizeof z); return z; }").Append(" }\n");
            sb.Append("    if (d->target) ").Append(r).Append("((").Append(withTarget).Append(")d->function)(")
              .Append(string.Join(", ", new[] { "d->target" }.Concat(args))).Append(");\n");
            sb.Append("    ").Append(ret == "void" ? "else " : "").Append(r).Append("((").Append(without).Append(")d->function)(")
              .Append(string.Join(", ", args)).Append(");\n}\n");
            return sb.ToString();
        }

        string Thunk(MethodInst m)
        {
            var ps = new List<string> { "void* self" };
            var args = new List<string> { "LC_UNBOX(self)" };
            int i = 0;
            foreach (string t in ParamTypes(m)) { ps.Add(t + " a" + i); args.Add("a" + i); i++; }
            string ret = ReturnType(m);
            return "static " + ret + " TH_" + m.CName + "(" + string.Join(", ", ps) + ")\n{\n    " + (ret == "void" ? "" : "return ") +
                   m.CName + "(" + string.Join(", ", args) + ");\n}\n";
        }

        // ---- output ----

        void StructDefinitions(StringBuilder o)
        {
            var done = new HashSet<TypeInfo>();
            foreach (TypeInfo t in layouts.ToList()) DefineStruct(t, done, o);
        }

        void DefineStruct(TypeInfo t, HashSet<TypeInfo> done, StringBuilder o)
        {
            if (!done.Add(t)) return;
            if (t.IsArray || t.IsInterface) return;
            if (t.PrimitiveCType != null) return;
            if (t.Base != null && !t.IsValueType) DefineStruct(t.Base, done, o);
            foreach (FieldInfo f in t.Fields.Concat(t.StaticFields))
                if (!f.Type.IsByReference && !f.Type.IsPointer)
                {
                    TypeInfo ft = Types.Get(f.Type);
                    if (ft.IsValueType) { layouts.Add(ft); DefineStruct(ft, done, o); }
                }
            o.Append("struct ").Append(t.StructName).Append(" {\n");
            if (t.IsString) o.Append("    lc_header hdr;\n    int32_t length;\n    uint16_t chars[];\n");
            else if (t.IsValueType)
            {
                if (t.Fields.Count == 0) o.Append("    uint8_t empty_;\n");
            }
            else if (t.Base == null) o.Append("    lc_header hdr;\n");
            else o.Append("    struct ").Append(t.Base.StructName).Append(" base;\n");
            if (!t.IsString)
                foreach (FieldInfo f in t.Fields)
                    o.Append("    ").Append(Types.CType(f.Type)).Append(' ').Append(f.CName).Append(";\n");
            o.Append("};\n");
            if (t.IsValueType) o.Append("struct ").Append(t.BoxName).Append(" { lc_header hdr; struct ").Append(t.StructName).Append(" value; };\n");
        }

        string Flags(TypeInfo t)
        {
            var f = new List<string>();
            if (t.IsValueType) f.Add("LC_VALUETYPE");
            if (t.IsInterface) f.Add("LC_INTERFACE");
            if (t.IsArray) f.Add("LC_ARRAY");
            if (t.IsString) f.Add("LC_STRING");
            if (t.IsEnum)
            {
                f.Add("LC_ENUM");
                if (t.PrimitiveCType.StartsWith("int")) f.Add("LC_ENUM_SIGNED");
            }
            return f.Count == 0 ? "0" : string.Join(" | ", f);
        }

        void Descriptors(StringBuilder o)
        {
            // Tables first, then the descriptors that point at them.
            var descs = new StringBuilder();
            foreach (TypeInfo t in descriptors)
            {
                string vt = "NULL", it = "NULL", ec = "NULL";
                int nIfaces = 0, nConsts = 0;
                if (constructed.Contains(t) && t.IsArray)
                {
                    vt = Types.VTable(t.Base).Count > 0 ? "VT_" + t.Base.Name : "NULL";
                    var entries = new List<string>();
                    foreach (KeyValuePair<TypeInfo, List<MethodInst>> e in ArrayInterfaces(t))
                    {
                        string name = "IT_" + t.Name + "_" + entries.Count;
                        o.Append("static void* const ").Append(name).Append("[] = { ").Append(string.Join(", ", e.Value.Select(x => "(void*)" + x.CName))).Append(" };\n");
                        entries.Add("{ &" + e.Key.Descriptor + ", " + name + " }");
                    }
                    o.Append("static const lc_iface_entry IE_").Append(t.Name).Append("[] = { ").Append(string.Join(", ", entries)).Append(" };\n");
                    it = "IE_" + t.Name;
                    nIfaces = entries.Count;
                }
                if (constructed.Contains(t) && !t.IsInterface && !t.IsArray)
                {
                    List<MethodInst> table = Types.VTable(t);
                    if (table.Count > 0)
                    {
                        o.Append("static void* const VT_").Append(t.Name).Append("[] = { ");
                        o.Append(string.Join(", ", table.Select(v => v.Def.IsAbstract ? "NULL" : "(void*)" + (v.Declaring.IsValueType ? "TH_" + v.CName : v.CName))));
                        o.Append(" };\n");
                        vt = "VT_" + t.Name;
                    }
                    var entries = new List<string>();
                    foreach (TypeInfo i in Types.Interfaces(t))
                    {
                        List<MethodInst> ims = Types.InterfaceMethods(i);
                        var fns = ims.Select(im =>
                        {
                            MethodInst impl = Types.Implementation(t, im);
                            if (impl == null || impl.Def.IsAbstract) return "NULL";
                            return "(void*)" + (impl.Declaring.IsValueType ? "TH_" + impl.CName : impl.CName);
                        }).ToList();
                        string name = "IT_" + t.Name + "_" + entries.Count;
                        o.Append("static void* const ").Append(name).Append("[] = { ").Append(fns.Count == 0 ? "NULL" : string.Join(", ", fns)).Append(" };\n");
                        entries.Add("{ &" + i.Descriptor + ", " + name + " }");
                    }
                    if (entries.Count > 0)
                    {
                        o.Append("static const lc_iface_entry IE_").Append(t.Name).Append("[] = { ").Append(string.Join(", ", entries)).Append(" };\n");
                        it = "IE_" + t.Name;
                        nIfaces = entries.Count;
                    }
                }
                if (t.IsEnum)
                {
                    var consts = t.Def.Fields.Where(f => f.IsLiteral && f.IsStatic).ToList();
                    if (consts.Count > 0)
                    {
                        o.Append("static const lc_enum_const EC_").Append(t.Name).Append("[] = { ");
                        o.Append(string.Join(", ", consts.Select(f => "{ " + System.Convert.ToInt64(f.Constant is ulong ? (long)(ulong)f.Constant : System.Convert.ToInt64(f.Constant)) + "LL, \"" + f.Name + "\" }")));
                        o.Append(" };\n");
                        ec = "EC_" + t.Name;
                        nConsts = consts.Count;
                    }
                }
                string size = t.IsInterface ? "0" : t.IsArray ? "sizeof(lc_array)" : t.IsString ? "sizeof(lc_string)" :
                              t.IsValueType ? "sizeof(lc_header) + sizeof(" + t.CType + ")" : "sizeof(struct " + t.StructName + ")";
                string valueSize = t.IsValueType ? "sizeof(" + t.CType + ")" : "0";
                string elem = t.IsArray ? "&" + t.Element.Descriptor : "NULL";
                string elemSize = t.IsArray ? "sizeof(" + t.Element.CType + ")" : "0";
                string baseDesc = t.Base != null ? "&" + t.Base.Descriptor : "NULL";
                string eq = "NULL", hash = "NULL";
                if (t.IsValueType && t.PrimitiveCType == null)
                {
                    o.Append(ValueEquality(t));
                    eq = "VEQ_" + t.Name;
                    hash = "VHASH_" + t.Name;
                }
                descs.Append("const lc_type ").Append(t.Descriptor).Append(" = { \"").Append(Naming.ClrName(t.Ref)).Append("\", ")
                 .Append(baseDesc).Append(", ").Append(size).Append(", ").Append(Flags(t)).Append(", ").Append(elem).Append(", ")
                 .Append(elemSize).Append(", ").Append(nIfaces).Append(", ").Append(it).Append(", ").Append(vt).Append(", ")
                 .Append(nConsts).Append(", ").Append(ec).Append(", ").Append(valueSize).Append(", ").Append(eq).Append(", ").Append(hash).Append(" };\n");
            }
            o.Append(descs);
        }

        /// Field-by-field equality and hash of a struct's values (what ValueType.Equals and
        /// GetHashCode do): numbers by value, strings by content, other references by identity,
        /// nested structs recursively.
        string ValueEquality(TypeInfo t)
        {
            var eq = new StringBuilder();
            var hash = new StringBuilder();
            eq.Append("static int32_t VEQ_").Append(t.Name).Append("(const void* a, const void* b)\n{\n");
            eq.Append("    const struct ").Append(t.StructName).Append("* x = a;\n    const struct ").Append(t.StructName).Append("* y = b;\n    (void)x; (void)y;\n");
            hash.Append("static int32_t VHASH_").Append(t.Name).Append("(const void* a)\n{\n    const struct ").Append(t.StructName)
                .Append("* x = a;\n    uint32_t h = 2166136261u;\n    (void)x;\n");
            foreach (FieldInfo f in t.Fields)
            {
                string fx = "x->" + f.CName, fy = "y->" + f.CName;
                TypeInfo ft = f.Type.IsByReference || f.Type.IsPointer ? null : Types.Get(f.Type);
                if (ft != null && ft.IsValueType && ft.PrimitiveCType == null)
                {
                    eq.Append("    if (!VEQ_").Append(ft.Name).Append("(&").Append(fx).Append(", &").Append(fy).Append(")) return 0;\n");
                    hash.Append("    h = (h ^ (uint32_t)VHASH_").Append(ft.Name).Append("(&").Append(fx).Append(")) * 16777619u;\n");
                }
                else if (ft != null && ft.IsString)
                {
                    eq.Append("    if (!lc_string_equals(").Append(fx).Append(", ").Append(fy).Append(")) return 0;\n");
                    hash.Append("    h = (h ^ (uint32_t)lc_string_hash(").Append(fx).Append(")) * 16777619u;\n");
                }
                else
                {
                    eq.Append("    if (").Append(fx).Append(" != ").Append(fy).Append(") return 0;\n");
                    hash.Append("    h = (h ^ (uint32_t)(uint64_t)").Append(ft != null && ft.Kind == StackKind.R8 ? "(int64_t)" : "").Append(ft != null && ft.Kind == StackKind.Ptr ? "(uintptr_t)" : "").Append(fx).Append(") * 16777619u;\n");
                }
            }
            eq.Append("    return 1;\n}\n");
            hash.Append("    return (int32_t)h;\n}\n");
            return eq.ToString() + hash.ToString();
        }

        MethodInst ExceptionCtor(string name)
        {
            TypeInfo t = Types.Get("System", name);
            MethodDefinition ctor = t.Def.Methods.First(md => md.IsConstructor && !md.IsStatic && md.Parameters.Count == 0);
            Construct(t);
            MethodInst m = Types.Method(ctor, t, null);
            Require(m);
            return m;
        }

        static readonly string[] RuntimeExceptions =
        {
            "NullReferenceException", "IndexOutOfRangeException", "DivideByZeroException", "OverflowException",
            "InvalidCastException", "ArrayTypeMismatchException",
        };

        /// Translates everything reachable from `roots` and returns the C file. `entry` (a
        /// static `Main`) gets a C `main` that runs it.
        public string Translate(IEnumerable<MethodInst> roots, MethodInst entry)
        {
            foreach (MethodInst r in roots) Require(r);
            var factories = RuntimeExceptions.Select(n => new KeyValuePair<string, MethodInst>(n, ExceptionCtor(n))).ToList();
            TypeInfo exception = Types.Get("System", "Exception");
            MethodInst message = Types.Method(exception.Def.Methods.First(md => md.Name == "get_Message"), exception, null);
            exceptionCtor = Types.Method(exception.Def.Methods.First(md => md.IsConstructor && md.Parameters.Count == 1 && md.Parameters[0].ParameterType.FullName == "System.String"), exception, null);
            Construct(exception);
            Require(exceptionCtor);
            RequireVirtual(message);
            Construct(Types.Get("System", "String"));
            // Emitting a body can require more methods and types; Run goes on until none is left.
            Run();

            // A struct's equality calls its struct fields' equality: they need descriptors too.
            bool grew = true;
            while (grew)
            {
                grew = false;
                foreach (TypeInfo t in descriptors.ToList())
                    if (t.IsValueType && t.PrimitiveCType == null)
                        foreach (FieldInfo f in t.Fields)
                            if (!f.Type.IsByReference && !f.Type.IsPointer)
                            {
                                TypeInfo ft = Types.Get(f.Type);
                                if (ft.IsValueType && ft.PrimitiveCType == null && !descriptors.Contains(ft)) { RequireDescriptor(ft); grew = true; }
                            }
            }
            var o = new StringBuilder();
            o.Append("/* Generated by Lightcone's C# translator (csharp-module-sdk/translator). Do not edit. */\n");
            o.Append("#include \"lc_runtime.h\"\n#include <math.h>\n#include <stdio.h>\n\n");
            o.Append("#pragma GCC diagnostic ignored \"-Wunused-label\"\n#pragma GCC diagnostic ignored \"-Wunused-variable\"\n");
            o.Append("#pragma GCC diagnostic ignored \"-Wunused-function\"\n#pragma GCC diagnostic ignored \"-Wunused-but-set-variable\"\n");
            o.Append("#pragma GCC diagnostic ignored \"-Wincompatible-pointer-types\"\n#pragma GCC diagnostic ignored \"-Wpointer-to-int-cast\"\n");
            o.Append("#pragma GCC diagnostic ignored \"-Wint-to-pointer-cast\"\n#pragma GCC diagnostic ignored \"-Wunused-value\"\n\n");
            foreach (TypeInfo t in layouts.ToList())
                if (!t.IsArray && !t.IsInterface && t.PrimitiveCType == null) o.Append("struct ").Append(t.StructName).Append(";\n");
            StructDefinitions(o);
            foreach (TypeInfo t in descriptors) o.Append("extern const lc_type ").Append(t.Descriptor).Append(";\n");
            foreach (TypeInfo t in statics)
            {
                if (t.StaticFields.Count == 0) continue;
                o.Append("static struct {\n");
                foreach (FieldInfo f in t.StaticFields) o.Append("    ").Append(Types.CType(f.Type)).Append(' ').Append(f.CName).Append(";\n");
                o.Append("} ").Append(t.StaticsName).Append(";\n");
            }
            foreach (MethodInst m in emittedOrder) if (bodies[m] != null) o.Append(Signature(m)).Append(";\n");
            foreach (TypeInfo t in statics)
                if (t.Cctor != null) o.Append("static int I_").Append(t.Name).Append(";\nstatic void C_").Append(t.Name).Append("(void);\n");
            o.Append("/*CODEC_PROTOTYPES*/");
            o.Append(literalCode);
            foreach (TypeInfo t in descriptors)
                if (t.IsValueType && t.PrimitiveCType == null)
                    o.Append("static int32_t VEQ_").Append(t.Name).Append("(const void* a, const void* b);\nstatic int32_t VHASH_").Append(t.Name).Append("(const void* a);\n");
            foreach (MethodInst m in thunks) o.Append(Thunk(m));
            Descriptors(o);
            foreach (MethodInst m in emittedOrder) if (bodies[m] != null) o.Append(bodies[m]);
            o.Append("/*CODEC_BODIES*/");
            foreach (TypeInfo t in statics)
            {
                if (t.Cctor == null) continue;
                MethodInst cctor = Types.Method(t.Cctor, t, null);
                o.Append("static void C_").Append(t.Name).Append("(void)\n{\n    if (I_").Append(t.Name).Append(") return;\n    I_")
                 .Append(t.Name).Append(" = 1;\n    lc_persistent++;\n    ").Append(cctor.CName).Append("();\n    lc_persistent--;\n}\n");
            }
            foreach (KeyValuePair<string, MethodInst> f in factories)
            {
                TypeInfo t = f.Value.Declaring;
                o.Append("void* lc_make_").Append(f.Key).Append("(void)\n{\n    void* e = lc_new(&").Append(t.Descriptor).Append(");\n    ")
                 .Append(f.Value.CName).Append("(e);\n    return e;\n}\n");
            }
            o.Append("void* lc_make_Exception(lc_string* message)\n{\n    void* e = lc_new(&").Append(exceptionCtor.Declaring.Descriptor).Append(");\n    ")
             .Append(exceptionCtor.CName).Append("(e, message);\n    return e;\n}\n");
            o.Append("lc_string* lc_exception_message(void* e)\n{\n    return ((" + FnPointerType(message) + ")((lc_header*)e)->type->vtable[" + Types.Slot(message) + "])(e);\n}\n");
            o.Append("void* const* lc_cache_slots[] = { ").Append(caches.Count == 0 ? "NULL" : string.Join(", ", caches.Select(c => "(void* const*)" + c)).ToString()).Append(" };\n");
            o.Append("const int lc_cache_slot_count = ").Append(caches.Count).Append(";\n");
            if (entry != null) o.Append(MainFunction(entry));
            if (moduleDef != null) o.Append(ModuleExports());
            return o.ToString().Replace("/*CODEC_PROTOTYPES*/", codecs == null ? "" : ModulePrototypes + codecs.Prototypes)
                               .Replace("/*CODEC_BODIES*/", codecs == null ? "" : codecs.Bodies);
        }

        const string ModulePrototypes =
            "uint32_t lc_host_table_id(lc_string* name);\nuint32_t lc_host_index_id(lc_string* name);\nuint64_t lc_host_row_count(uint32_t table);\n" +
            "uint16_t lc_host_insert(uint32_t table, void* row, int32_t* len);\nuint16_t lc_host_update(uint32_t table, uint32_t index, void* row, int32_t* len);\n" +
            "uint32_t lc_host_delete_all_by_eq(uint32_t table, void* rows, int32_t len);\nuint32_t lc_host_table_scan(uint32_t table);\n" +
            "uint32_t lc_host_index_scan_point(uint32_t index, void* key, int32_t len);\nuint32_t lc_host_delete_by_point(uint32_t index, void* key, int32_t len);\n" +
            "uint32_t lc_host_index_scan_range(uint32_t index, void* prefix, int32_t prefix_len, uint16_t prefix_elems, void* start, int32_t start_len, void* end, int32_t end_len);\n" +
            "int32_t lc_host_advance(uint32_t iter, void** buffer);\nvoid lc_host_close_iter(uint32_t iter);\nuint64_t lc_host_clear(uint32_t table);\n" +
            "void lc_host_log(int32_t level, lc_string* message);\nvoid lc_host_identity(uint8_t out[32]);\n" +
            "int32_t lc_bw_raw(void** buf, int32_t len, const void* bytes, int32_t n);\nint32_t lc_br_raw(void* buf, int32_t* at, int32_t len, void* out, int32_t n);\n" +
            "int32_t lc_bw_string(void** buf, int32_t len, lc_string* s);\nlc_string* lc_br_string(void* buf, int32_t* at, int32_t len);\n" +
            "void* lc_read_source(uint32_t source, int32_t* len);\nvoid lc_write_sink(uint32_t sink, const uint8_t* bytes, size_t n);\n" +
            "void lc_write_sink_string(uint32_t sink, lc_string* s);\n";

        MethodInst contextCtor, exceptionCtor;

        /// Translates module `module`: its reducers, the module definition, the exports.
        public string TranslateModule(ModuleDefinition module)
        {
            codecs = new Codecs(this);
            moduleDef = new ModuleDef(Types);
            moduleDef.Scan(module);
            foreach (TableInfo t in moduleDef.Tables) codecs.Require(t.Row, t.Row.FullName);
            foreach (ReducerInfo r in moduleDef.Reducers)
                foreach (ParameterDefinition p in r.Method.Def.Parameters.Skip(1))
                    codecs.Require(Types.Get(p.ParameterType), Naming.Display(r.Method.Def));
            TypeInfo ctx = Types.Get(FindType(module, "SpacetimeDB.ReducerContext"));
            Construct(ctx);
            contextCtor = Types.Method(ctx.Def.Methods.First(md => md.IsConstructor && !md.IsStatic && md.Parameters.Count == 7), ctx, null);
            Construct(Types.Get(new ArrayType(Types.CorlibType("System", "Byte"))));
            // Translate adds Exception(string), which lc_make_Exception calls.
            var roots = new List<MethodInst> { contextCtor };
            roots.AddRange(moduleDef.Reducers.Select(r => r.Method));
            return Translate(roots, null);
        }

        static TypeDefinition FindType(ModuleDefinition module, string fullName)
        {
            TypeDefinition t = module.GetTypes().FirstOrDefault(x => x.FullName == fullName);
            if (t == null) throw new BuildError("the module has no " + fullName + " (is the SDK compiled in?)");
            return t;
        }

        string ModuleExports()
        {
            var o = new StringBuilder();
            byte[] def = moduleDef.Bytes();
            o.Append("static const uint8_t lc_module_def[] = { ").Append(string.Join(", ", def.Select(b => b.ToString()))).Append(" };\n");
            o.Append("__attribute__((export_name(\"__describe_module__\"))) void lc_describe_module(uint32_t sink)\n{\n    lc_write_sink(sink, lc_module_def, sizeof lc_module_def);\n}\n");
            o.Append("__attribute__((export_name(\"__call_reducer__\"))) int32_t lc_call_reducer(uint32_t id, uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3,\n");
            o.Append("    uint64_t c0, uint64_t c1, uint64_t timestamp, uint32_t args, uint32_t error_sink)\n{\n");
            o.Append("    int32_t rc = 0, len = 0, at = 0;\n    lc_exc = NULL;\n    void* buf = lc_read_source(args, &len);\n    (void)at;\n");
            o.Append("    void* ctx = lc_new(&").Append(contextCtor.Declaring.Descriptor).Append(");\n    ").Append(contextCtor.CName)
             .Append("(ctx, s0, s1, s2, s3, c0, c1, (int64_t)timestamp);\n");
            o.Append("    if (!lc_exc) switch (id) {\n");
            for (int i = 0; i < moduleDef.Reducers.Count; i++)
            {
                ReducerInfo r = moduleDef.Reducers[i];
                o.Append("    case ").Append(i).Append(": {\n");
                var args = new List<string> { "ctx" };
                int k = 0;
                foreach (ParameterDefinition p in r.Method.Def.Parameters.Skip(1))
                {
                    TypeInfo t = Types.Get(p.ParameterType);
                    o.Append("        ").Append(t.CType).Append(" p").Append(k).Append(" = ").Append(Codecs.Reader(t)).Append("(buf, &at, len);\n");
                    args.Add("p" + k);
                    k++;
                }
                o.Append("        if (!lc_exc) ").Append(r.Method.CName).Append("(").Append(string.Join(", ", args)).Append(");\n        break;\n    }\n");
            }
            o.Append("    default: {\n        static const char msg[] = \"no such reducer\";\n        lc_write_sink(error_sink, (const uint8_t*)msg, sizeof msg - 1);\n        rc = 1;\n    }\n    }\n");
            o.Append("    if (lc_exc) {\n        void* e = lc_exc;\n        lc_exc = NULL;\n        lc_string* message = lc_exception_message(e);\n");
            o.Append("        if (lc_exc) { lc_exc = NULL; message = lc_string_from_utf8(\"the reducer failed\", 18); }\n        lc_write_sink_string(error_sink, message);\n        rc = 1;\n    }\n");
            o.Append("    lc_arena_reset();\n    for (int i = 0; i < lc_cache_slot_count; i++) if (lc_cache_slots[i]) *(void**)lc_cache_slots[i] = NULL;\n");
            o.Append("    return rc;\n}\n");
            return o.ToString();
        }

        string MainFunction(MethodInst entry)
        {
            var sb = new StringBuilder("int main(void)\n{\n");
            string args = entry.Def.Parameters.Count == 1 ? "lc_new_array(&" + Types.Get(new ArrayType(Types.CorlibType("System", "String"))).Descriptor + ", 0)" : "";
            string call = entry.CName + "(" + args + ")";
            bool returnsInt = entry.Def.ReturnType.FullName == "System.Int32";
            sb.Append("    ").Append(returnsInt ? "int code = " : "").Append(call).Append(";\n");
            sb.Append("    fflush(stdout);\n");
            sb.Append("    if (lc_exc) {\n        char buf[1024];\n        const char* name = ((lc_header*)lc_exc)->type->name;\n");
            sb.Append("        size_t n = lc_string_to_utf8(lc_exception_message(lc_exc), buf, sizeof buf - 1);\n        if (n > sizeof buf - 1) n = sizeof buf - 1;\n        buf[n] = 0;\n");
            sb.Append("        fprintf(stderr, \"Unhandled Exception:\\n%s: %s\\n\", name, buf);\n        return 1;\n    }\n");
            sb.Append("    return ").Append(returnsInt ? "code" : "0").Append(";\n}\n");
            return sb.ToString();
        }
    }
}
