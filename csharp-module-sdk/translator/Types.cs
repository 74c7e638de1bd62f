// Types as the translator lays them out in C: closed (generic arguments substituted) type
// references, their C names and storage types, fields, virtual tables and interface maps.
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;

namespace Lightcone.Translator
{
    /// How a value sits on the IL evaluation stack, and so which C temporary holds it.
    public enum StackKind { I4, I8, R8, Native, Ptr, Value }

    /// Generic arguments in force: the declaring type's and the method's.
    public sealed class GenericContext
    {
        public static readonly GenericContext None = new GenericContext(null, null);
        public readonly IList<TypeReference> TypeArgs;
        public readonly IList<TypeReference> MethodArgs;

        public GenericContext(IList<TypeReference> typeArgs, IList<TypeReference> methodArgs)
        {
            TypeArgs = typeArgs;
            MethodArgs = methodArgs;
        }

        /// `t` with every generic parameter replaced by its argument.
        public TypeReference Resolve(TypeReference t)
        {
            var gp = t as GenericParameter;
            if (gp != null)
            {
                IList<TypeReference> args = gp.Type == GenericParameterType.Type ? TypeArgs : MethodArgs;
                if (args == null || gp.Position >= args.Count)
                    throw new BuildError("generic parameter " + gp.Name + " has no argument here");
                return args[gp.Position];
            }
            var byRef = t as ByReferenceType;
            if (byRef != null) return new ByReferenceType(Resolve(byRef.ElementType));
            var pointer = t as PointerType;
            if (pointer != null) return new PointerType(Resolve(pointer.ElementType));
            var array = t as ArrayType;
            if (array != null)
            {
                if (!array.IsVector) throw new BuildError("multi-dimensional arrays (" + array.FullName + ") are not supported");
                return new ArrayType(Resolve(array.ElementType));
            }
            var git = t as GenericInstanceType;
            if (git != null)
            {
                var closed = new GenericInstanceType(git.ElementType);
                foreach (TypeReference a in git.GenericArguments) closed.GenericArguments.Add(Resolve(a));
                return closed;
            }
            var req = t as RequiredModifierType;
            if (req != null) return Resolve(req.ElementType);
            var opt = t as OptionalModifierType;
            if (opt != null) return Resolve(opt.ElementType);
            var pinned = t as PinnedType;
            if (pinned != null) return Resolve(pinned.ElementType);
            return t;
        }
    }

    public sealed class FieldInfo
    {
        public FieldDefinition Def;
        public TypeInfo Declaring;
        public TypeReference Type; // closed
        public string CName;
    }

    public sealed class TypeInfo
    {
        public TypeReference Ref;     // closed
        public TypeDefinition Def;    // null for arrays
        public string Name;           // the C name's stem
        public TypeInfo Base;
        public TypeInfo Element;      // arrays
        public GenericContext Context;
        public bool IsValueType, IsInterface, IsArray, IsEnum, IsPrimitive, IsString, IsDelegate, IsObject;
        public string PrimitiveCType; // primitives and enums: the C storage type
        public List<FieldInfo> Fields = new List<FieldInfo>();        // own instance fields
        public List<FieldInfo> StaticFields = new List<FieldInfo>();
        public List<MethodInst> VTable;                                // built on demand
        public List<TypeInfo> Interfaces;                              // every interface, inherited too
        public bool Constructed;                                       // instances exist (vtable needed)
        public bool DescriptorNeeded;
        public MethodDefinition Cctor;

        public string StructName { get { return IsValueType ? "V_" + Name : "O_" + Name; } }
        public string Descriptor
        {
            get
            {
                if (IsString) return "lc_string_type";
                if (IsArray && Element.FullName == "System.Byte") return "lc_bytes_type";
                return "T_" + Name;
            }
        }
        public string BoxName { get { return "B_" + Name; } }
        public string StaticsName { get { return "S_" + Name; } }
        public string FullName { get { return Ref.FullName; } }

        /// The C type a value of this type is stored in.
        public string CType
        {
            get
            {
                if (PrimitiveCType != null) return PrimitiveCType;
                if (IsValueType) return "struct " + StructName;
                return "void*";
            }
        }

        public StackKind Kind
        {
            get
            {
                if (PrimitiveCType != null) return KindOfCType(PrimitiveCType);
                return IsValueType ? StackKind.Value : StackKind.Ptr;
            }
        }

        public static StackKind KindOfCType(string c)
        {
            switch (c)
            {
                case "int64_t":
                case "uint64_t": return StackKind.I8;
                case "float":
                case "double": return StackKind.R8;
                case "intptr_t":
                case "uintptr_t": return StackKind.Native;
                case "void*": return StackKind.Ptr;
                default: return StackKind.I4;
            }
        }

        /// Whether a value of this type holds object references (directly or in fields).
        public bool HoldsReferences(TypeSystem types)
        {
            if (!IsValueType) return true;
            if (PrimitiveCType != null) return false;
            foreach (FieldInfo f in Fields)
                if (types.Get(f.Type).HoldsReferences(types)) return true;
            return false;
        }

        public bool IsSubclassOf(TypeInfo other)
        {
            for (TypeInfo t = this; t != null; t = t.Base) if (t == other) return true;
            return false;
        }

        public override string ToString() { return FullName; }
    }

    /// A method with its declaring type and generic arguments closed: one C function.
    public sealed class MethodInst
    {
        public MethodDefinition Def;
        public TypeInfo Declaring;
        public IList<TypeReference> MethodArgs;
        public GenericContext Context;
        public string CName;

        public string Key { get { return CName; } }
        public bool HasThis { get { return Def.HasThis; } }
    }

    public sealed class TypeSystem
    {
        readonly Dictionary<string, TypeInfo> types = new Dictionary<string, TypeInfo>();
        readonly Dictionary<string, MethodInst> methods = new Dictionary<string, MethodInst>();
        public readonly ModuleDefinition Corlib;
        public readonly List<TypeInfo> All = new List<TypeInfo>();

        public TypeSystem(ModuleDefinition corlib) { Corlib = corlib; }

        public TypeReference CorlibType(string ns, string name)
        {
            TypeDefinition t = Corlib.GetType(ns, name);
            if (t == null) throw new BuildError("the corlib has no " + ns + "." + name);
            return t;
        }

        public TypeInfo Get(string ns, string name) { return Get(CorlibType(ns, name)); }

        static readonly Dictionary<string, string> Primitives = new Dictionary<string, string>
        {
            { "System.Boolean", "uint8_t" }, { "System.Char", "uint16_t" },
            { "System.SByte", "int8_t" }, { "System.Byte", "uint8_t" },
            { "System.Int16", "int16_t" }, { "System.UInt16", "uint16_t" },
            { "System.Int32", "int32_t" }, { "System.UInt32", "uint32_t" },
            { "System.Int64", "int64_t" }, { "System.UInt64", "uint64_t" },
            { "System.Single", "float" }, { "System.Double", "double" },
            { "System.IntPtr", "intptr_t" }, { "System.UIntPtr", "uintptr_t" },
        };

        /// The C storage type of `t` (a closed type; pointers and references are void*).
        public string CType(TypeReference t)
        {
            if (t.IsByReference || t.IsPointer || t.IsFunctionPointer) return "void*";
            if (t.FullName == "System.Void") return "void";
            return Get(t).CType;
        }

        public StackKind Kind(TypeReference t)
        {
            if (t.IsByReference || t.IsPointer || t.IsFunctionPointer) return StackKind.Ptr;
            return Get(t).Kind;
        }

        public TypeInfo Get(TypeReference t)
        {
            if (t.IsByReference || t.IsPointer) throw new BuildError("no type info for " + t.FullName);
            string key = t.FullName;
            TypeInfo info;
            if (types.TryGetValue(key, out info)) return info;
            info = new TypeInfo { Ref = t };
            types[key] = info;
            All.Add(info);
            string full = key;
            info.Name = full.Length < 60 ? Naming.Sanitize(full) : Naming.Sanitize(t.Name) + "_" + Naming.Hash(full);

            var array = t as ArrayType;
            if (array != null)
            {
                info.IsArray = true;
                info.Element = Get(array.ElementType);
                info.Base = Get("System", "Array");
                info.Interfaces = new List<TypeInfo>();
                return info;
            }
            TypeDefinition def = t.Resolve();
            if (def == null) throw new BuildError("cannot find the definition of " + full + " (is its assembly referenced?)");
            info.Def = def;
            var git = t as GenericInstanceType;
            if (git == null && def.HasGenericParameters)
                throw new BuildError("open generic type " + full + " cannot be laid out");
            info.Context = new GenericContext(git == null ? null : git.GenericArguments, null);
            info.IsInterface = def.IsInterface;
            info.IsValueType = def.IsValueType;
            info.IsEnum = def.IsEnum;
            info.IsString = full == "System.String";
            info.IsObject = full == "System.Object";
            string prim;
            if (Primitives.TryGetValue(full, out prim))
            {
                info.IsPrimitive = true;
                info.PrimitiveCType = prim;
            }
            if (def.BaseType != null) info.Base = Get(info.Context.Resolve(def.BaseType));
            info.IsDelegate = info.Base != null && (info.Base.FullName == "System.MulticastDelegate" || info.Base.FullName == "System.Delegate") && def.Name != "MulticastDelegate";
            foreach (FieldDefinition f in def.Fields)
            {
                if (f.IsLiteral) continue;
                var fi = new FieldInfo { Def = f, Declaring = info, Type = info.Context.Resolve(f.FieldType), CName = "f_" + Naming.Sanitize(f.Name) };
                if (f.IsStatic) info.StaticFields.Add(fi);
                else info.Fields.Add(fi);
            }
            if (info.IsEnum)
            {
                FieldInfo value = info.Fields.FirstOrDefault();
                if (value == null) throw new BuildError("enum " + full + " has no value field");
                info.PrimitiveCType = Get(value.Type).PrimitiveCType;
            }
            info.Cctor = def.Methods.FirstOrDefault(m => m.IsConstructor && m.IsStatic);
            return info;
        }

        public FieldInfo Field(FieldReference fr, GenericContext ctx)
        {
            TypeInfo declaring = Get(ctx.Resolve(fr.DeclaringType));
            foreach (FieldInfo f in declaring.Fields) if (f.Def.Name == fr.Name) return f;
            foreach (FieldInfo f in declaring.StaticFields) if (f.Def.Name == fr.Name) return f;
            throw new BuildError("field " + fr.FullName + " not found");
        }

        /// The closed method `mr` names in context `ctx`.
        public MethodInst Method(MethodReference mr, GenericContext ctx)
        {
            TypeInfo declaring = Get(ctx.Resolve(mr.DeclaringType));
            MethodDefinition def = mr.Resolve();
            if (def == null) throw new BuildError("cannot find method " + mr.FullName);
            IList<TypeReference> margs = null;
            var gim = mr as GenericInstanceMethod;
            if (gim != null) margs = gim.GenericArguments.Select(a => ctx.Resolve(a)).ToList();
            return Method(def, declaring, margs);
        }

        public MethodInst Method(MethodDefinition def, TypeInfo declaring, IList<TypeReference> margs)
        {
            if (def.HasGenericParameters && (margs == null || margs.Count != def.GenericParameters.Count))
                throw new BuildError("generic method " + def.FullName + " called without its type arguments");
            string sig = declaring.FullName + "::" + def.FullName + (margs == null ? "" : "<" + string.Join(",", margs.Select(a => a.FullName)) + ">");
            MethodInst m;
            if (methods.TryGetValue(sig, out m)) return m;
            m = new MethodInst
            {
                Def = def,
                Declaring = declaring,
                MethodArgs = margs,
                Context = new GenericContext(declaring.Context == null ? null : declaring.Context.TypeArgs, margs),
                CName = "M_" + declaring.Name + "__" + Naming.Sanitize(def.Name) + "_" + Naming.Hash(sig),
            };
            methods[sig] = m;
            return m;
        }

        /// Whether two closed signatures match (same name, parameter and return types).
        static bool SameSignature(MethodInst a, MethodInst b)
        {
            if (a.Def.Name != b.Def.Name || a.Def.Parameters.Count != b.Def.Parameters.Count) return false;
            if (a.Def.HasGenericParameters || b.Def.HasGenericParameters) return false;
            for (int i = 0; i < a.Def.Parameters.Count; i++)
                if (a.Context.Resolve(a.Def.Parameters[i].ParameterType).FullName != b.Context.Resolve(b.Def.Parameters[i].ParameterType).FullName) return false;
            return a.Context.Resolve(a.Def.ReturnType).FullName == b.Context.Resolve(b.Def.ReturnType).FullName;
        }

        /// Virtual slots: the base's, with overrides replacing them, then new slots.
        public List<MethodInst> VTable(TypeInfo t)
        {
            if (t.VTable != null) return t.VTable;
            var table = t.Base != null ? new List<MethodInst>(VTable(t.Base)) : new List<MethodInst>();
            if (t.Def != null && !t.IsInterface)
            {
                foreach (MethodDefinition md in t.Def.Methods)
                {
                    if (!md.IsVirtual) continue;
                    if (md.HasGenericParameters) continue; // generic virtual methods: refused where called
                    MethodInst m = Method(md, t, null);
                    int slot = -1;
                    if (!md.IsNewSlot)
                        for (int i = 0; i < table.Count; i++)
                            if (SameSignature(table[i], m)) { slot = i; }
                    if (slot >= 0) table[slot] = m;
                    else table.Add(m);
                }
            }
            t.VTable = table;
            return table;
        }

        public int Slot(MethodInst m)
        {
            List<MethodInst> table = VTable(m.Declaring);
            for (int i = 0; i < table.Count; i++) if (table[i].Def == m.Def && table[i].Declaring == m.Declaring) return i;
            // An inherited slot overridden further down: find by the original declaration.
            for (int i = 0; i < table.Count; i++) if (SameSignature(table[i], m)) return i;
            throw new BuildError("no virtual slot for " + m.Def.FullName);
        }

        /// Every interface `t` implements, with inherited ones, each once.
        public List<TypeInfo> Interfaces(TypeInfo t)
        {
            if (t.Interfaces != null) return t.Interfaces;
            var all = new List<TypeInfo>();
            if (t.Base != null) all.AddRange(Interfaces(t.Base));
            if (t.Def != null)
            {
                foreach (InterfaceImplementation ii in t.Def.Interfaces)
                {
                    TypeInfo i = Get(t.Context.Resolve(ii.InterfaceType));
                    if (!all.Contains(i)) all.Add(i);
                    foreach (TypeInfo inherited in Interfaces(i)) if (!all.Contains(inherited)) all.Add(inherited);
                }
            }
            t.Interfaces = all;
            return all;
        }

        /// The interface's methods, in slot order.
        public List<MethodInst> InterfaceMethods(TypeInfo iface)
        {
            return iface.Def.Methods.Where(m => !m.IsStatic).Select(m => Method(m, iface, null)).ToList();
        }

        /// The method of `t` that implements `im` (explicit implementations first, then a public
        /// method with the same signature, most derived first).
        public MethodInst Implementation(TypeInfo t, MethodInst im)
        {
            for (TypeInfo c = t; c != null; c = c.Base)
            {
                if (c.Def == null) continue;
                foreach (MethodDefinition md in c.Def.Methods)
                {
                    foreach (MethodReference o in md.Overrides)
                    {
                        if (o.Name != im.Def.Name) continue;
                        TypeInfo target = Get(c.Context.Resolve(o.DeclaringType));
                        if (target != im.Declaring) continue;
                        MethodInst candidate = Method(md, c, null);
                        if (SameParams(candidate, im)) return Dispatch(t, candidate);
                    }
                }
            }
            for (TypeInfo c = t; c != null; c = c.Base)
            {
                if (c.Def == null) continue;
                foreach (MethodDefinition md in c.Def.Methods)
                {
                    if (md.IsStatic || md.Name != im.Def.Name || md.HasGenericParameters) continue;
                    MethodInst candidate = Method(md, c, null);
                    if (SameSignature(candidate, im)) return Dispatch(t, candidate);
                }
            }
            return null;
        }

        static bool SameParams(MethodInst a, MethodInst b)
        {
            if (a.Def.Parameters.Count != b.Def.Parameters.Count) return false;
            for (int i = 0; i < a.Def.Parameters.Count; i++)
                if (a.Context.Resolve(a.Def.Parameters[i].ParameterType).FullName != b.Context.Resolve(b.Def.Parameters[i].ParameterType).FullName) return false;
            return true;
        }

        /// A virtual implementation dispatches through `t`'s vtable (a derived override wins).
        MethodInst Dispatch(TypeInfo t, MethodInst m)
        {
            if (!m.Def.IsVirtual || t.IsValueType) return m;
            return VTable(t)[Slot(m)];
        }
    }
}
