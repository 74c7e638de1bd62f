// One method's IL as a C function body. The evaluation stack becomes C temporaries named by
// depth and kind (`s2_i`, `s0_p`, `s1_vPoint`), so every path into a label leaves its values in
// the same variables; exceptions are a pending pointer (`lc_exc`) checked after each call that
// may throw, with a dispatch label per try block; `leave` runs the finally blocks it crosses
// through a per-finally continuation number.
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Lightcone.Translator
{
    struct Slot
    {
        public StackKind Kind;
        public TypeReference Type; // value types: which struct; otherwise informative
        public string Name;
    }

    sealed class TryBlock
    {
        public int Start, End;              // try range [Start, End)
        public List<ExceptionHandler> Handlers = new List<ExceptionHandler>();
        public TryBlock Parent;
        public int Id;
    }

    public sealed class MethodEmitter
    {
        readonly Translator tr;
        readonly TypeSystem types;
        readonly MethodInst m;
        readonly MethodBody body;
        readonly StringBuilder code = new StringBuilder();
        readonly Dictionary<string, string> temps = new Dictionary<string, string>();
        readonly Dictionary<int, List<Slot>> stackAt = new Dictionary<int, List<Slot>>();
        readonly HashSet<int> labels = new HashSet<int>();
        readonly List<TryBlock> tries = new List<TryBlock>();
        List<Slot> stack = new List<Slot>();
        Instruction current;
        TypeReference constrained;
        int leaveCounter;
        readonly Dictionary<ExceptionHandler, List<KeyValuePair<int, string>>> finallyExits = new Dictionary<ExceptionHandler, List<KeyValuePair<int, string>>>();

        public MethodEmitter(Translator tr, MethodInst m)
        {
            this.tr = tr;
            types = tr.Types;
            this.m = m;
            body = m.Def.Body;
        }

        BuildError Error(string message)
        {
            SourcePlace place = tr.Symbols.Place(m.Def, current == null ? 0 : current.Offset);
            return new BuildError(place + ": " + message);
        }

        TypeReference R(TypeReference t) { return m.Context.Resolve(t); }

        // ---- temporaries ----

        static string Suffix(StackKind k, TypeReference t, TypeSystem types)
        {
            switch (k)
            {
                case StackKind.I4: return "i";
                case StackKind.I8: return "l";
                case StackKind.R8: return "f";
                case StackKind.Native: return "n";
                case StackKind.Ptr: return "p";
                default: return "v" + types.Get(t).Name;
            }
        }

        static string CTypeOf(StackKind k, TypeReference t, TypeSystem types)
        {
            switch (k)
            {
                case StackKind.I4: return "int32_t";
                case StackKind.I8: return "int64_t";
                case StackKind.R8: return "double";
                case StackKind.Native: return "intptr_t";
                case StackKind.Ptr: return "void*";
                default: return types.Get(t).CType;
            }
        }

        string Push(StackKind k, TypeReference t)
        {
            string name = "s" + stack.Count + "_" + Suffix(k, t, types);
            if (!temps.ContainsKey(name)) temps[name] = CTypeOf(k, t, types);
            stack.Add(new Slot { Kind = k, Type = t, Name = name });
            return name;
        }

        string PushFor(TypeReference t) { return Push(types.Kind(t), t); }

        Slot Pop()
        {
            if (stack.Count == 0) throw Error("IL stack underflow");
            Slot s = stack[stack.Count - 1];
            stack.RemoveAt(stack.Count - 1);
            return s;
        }

        void Line(string s)
        {
            // A value that stays in its temporary (a cast to object, a box of a reference).
            int eq = s.IndexOf(" = ", System.StringComparison.Ordinal);
            if (eq > 0 && s.EndsWith(";") && s.Substring(0, eq) == s.Substring(eq + 3, s.Length - eq - 4) && IsSimpleName(s.Substring(0, eq))) return;
            code.Append("    ").Append(s).Append('\n');
        }

        string Temp(string ctype, string hint)
        {
            string name = "t_" + hint + "_" + temps.Count;
            temps[name] = ctype;
            return name;
        }

        // ---- exception regions ----

        void BuildRegions()
        {
            if (!body.HasExceptionHandlers) return;
            foreach (ExceptionHandler h in body.ExceptionHandlers)
            {
                if (h.HandlerType == ExceptionHandlerType.Filter)
                {
                    current = h.FilterStart;
                    throw Error("exception filters (catch ... when) are not supported");
                }
                int start = h.TryStart.Offset, end = h.TryEnd == null ? int.MaxValue : h.TryEnd.Offset;
                TryBlock b = tries.FirstOrDefault(t => t.Start == start && t.End == end);
                if (b == null)
                {
                    b = new TryBlock { Start = start, End = end, Id = tries.Count };
                    tries.Add(b);
                }
                b.Handlers.Add(h);
            }
            foreach (TryBlock b in tries)
            {
                TryBlock best = null;
                foreach (TryBlock o in tries)
                {
                    if (o == b) continue;
                    if (o.Start <= b.Start && o.End >= b.End && (o.Start < b.Start || o.End > b.End))
                        if (best == null || (o.End - o.Start) < (best.End - best.Start)) best = o;
                }
                b.Parent = best;
            }
        }

        static int End(ExceptionHandler h) { return h.HandlerEnd == null ? int.MaxValue : h.HandlerEnd.Offset; }

        /// The innermost try block whose protected range holds `offset`.
        TryBlock TryAt(int offset)
        {
            TryBlock best = null;
            foreach (TryBlock b in tries)
                if (b.Start <= offset && offset < b.End && (best == null || (b.End - b.Start) < (best.End - best.Start))) best = b;
            return best;
        }

        string Dispatch(int offset)
        {
            TryBlock b = TryAt(offset);
            return b == null ? "EH_exit" : "EH_" + b.Id;
        }

        /// `if (lc_exc) goto <handler>;` after something that may have thrown.
        void Check() { Line("if (lc_exc) goto " + Dispatch(current.Offset) + ";"); }

        void Throw(string runtimeCall)
        {
            Line("{ " + runtimeCall + "; goto " + Dispatch(current.Offset) + "; }");
        }

        void NullCheck(string p) { Line("if (!" + p + ") { lc_throw_null(); goto " + Dispatch(current.Offset) + "; }"); }

        // ---- the body ----

        public string Emit()
        {
            if (body.HasVariables)
                foreach (VariableDefinition v in body.Variables)
                    if (v.IsPinned)
                    {
                        current = body.Instructions.FirstOrDefault(i => LocalOf(i) == v.Index) ?? body.Instructions.FirstOrDefault();
                        throw Error("pointers into managed objects (`fixed`) are not supported: objects are not pinned, use arrays and indexes");
                    }
            BuildRegions();
            foreach (Instruction ins in body.Instructions)
            {
                var target = ins.Operand as Instruction;
                if (target != null) labels.Add(target.Offset);
                var targets = ins.Operand as Instruction[];
                if (targets != null) foreach (Instruction t in targets) labels.Add(t.Offset);
            }
            foreach (TryBlock b in tries)
                foreach (ExceptionHandler h in b.Handlers)
                {
                    labels.Add(h.HandlerStart.Offset);
                    stackAt[h.HandlerStart.Offset] = new List<Slot>();
                    if (h.HandlerType == ExceptionHandlerType.Catch)
                    {
                        temps["caught_" + h.HandlerStart.Offset] = "void*";
                    }
                    if (h.HandlerType == ExceptionHandlerType.Finally || h.HandlerType == ExceptionHandlerType.Fault)
                    {
                        temps["fin_" + h.HandlerStart.Offset] = "int";
                        temps["finexc_" + h.HandlerStart.Offset] = "void*";
                        finallyExits[h] = new List<KeyValuePair<int, string>>();
                    }
                }

            bool reachable = true;
            foreach (Instruction ins in body.Instructions)
            {
                current = ins;
                if (labels.Contains(ins.Offset)) code.Append("IL_").Append(ins.Offset.ToString("x4")).Append(":;\n");
                List<Slot> known;
                if (stackAt.TryGetValue(ins.Offset, out known))
                {
                    stack = new List<Slot>(known);
                    CatchStart(ins.Offset);
                }
                else if (!reachable) stack = new List<Slot>();
                reachable = Instruction(ins);
                var target = ins.Operand as Instruction;
                if (target != null) Remember(target.Offset);
                var targets = ins.Operand as Instruction[];
                if (targets != null) foreach (Instruction t in targets) Remember(t.Offset);
                if (reachable && ins.Next != null && labels.Contains(ins.Next.Offset)) Remember(ins.Next.Offset);
            }
            EmitDispatchers();

            var sb = new StringBuilder();
            sb.Append(tr.Signature(m)).Append("\n{\n");
            TypeReference ret = R(m.Def.ReturnType);
            if (ret.FullName != "System.Void")
            {
                string ct = types.CType(ret);
                sb.Append("    ").Append(ct).Append(" ret_zero;\n    memset(&ret_zero, 0, sizeof ret_zero);\n");
            }
            if (m.Def.Body.HasVariables)
            {
                foreach (VariableDefinition v in body.Variables)
                {
                    string ct = types.CType(R(v.VariableType));
                    sb.Append("    ").Append(ct).Append(" loc").Append(v.Index).Append(";\n");
                    sb.Append("    memset(&loc").Append(v.Index).Append(", 0, sizeof loc").Append(v.Index).Append(");\n");
                }
            }
            foreach (KeyValuePair<string, string> t in temps)
                sb.Append("    ").Append(t.Value).Append(' ').Append(t.Key).Append(";\n");
            // Zeroed: a finally entered by leave reads its saved exception, paths the C
            // compiler cannot see through gotos read temporaries.
            foreach (KeyValuePair<string, string> t in temps)
                sb.Append("    memset(&").Append(t.Key).Append(", 0, sizeof ").Append(t.Key).Append(");\n");
            sb.Append(code);
            sb.Append("}\n");
            return sb.ToString();
        }

        void Remember(int offset)
        {
            if (!stackAt.ContainsKey(offset)) stackAt[offset] = new List<Slot>(stack);
        }

        /// At the first instruction of a catch handler the caught exception is on the stack.
        void CatchStart(int offset)
        {
            foreach (TryBlock b in tries)
                foreach (ExceptionHandler h in b.Handlers)
                    if (h.HandlerStart.Offset == offset && h.HandlerType == ExceptionHandlerType.Catch)
                    {
                        stack = new List<Slot>();
                        string s = Push(StackKind.Ptr, types.CorlibType("System", "Object"));
                        Line(s + " = caught_" + offset + ";");
                    }
        }

        void EmitDispatchers()
        {
            foreach (TryBlock b in tries)
            {
                code.Append("EH_").Append(b.Id).Append(":;\n");
                foreach (ExceptionHandler h in b.Handlers)
                {
                    int hs = h.HandlerStart.Offset;
                    string label = "IL_" + hs.ToString("x4");
                    switch (h.HandlerType)
                    {
                        case ExceptionHandlerType.Catch:
                            TypeInfo ct = types.Get(m.Context.Resolve(h.CatchType));
                            tr.RequireDescriptor(ct);
                            string test = ct.IsObject ? "1" : "lc_isinst(lc_exc, &" + ct.Descriptor + ")";
                            Line("if (" + test + ") { caught_" + hs + " = lc_exc; lc_exc = NULL; goto " + label + "; }");
                            break;
                        case ExceptionHandlerType.Finally:
                        case ExceptionHandlerType.Fault:
                            // The exception waits while the finally runs (its calls check lc_exc).
                            Line("fin_" + hs + " = -1; finexc_" + hs + " = lc_exc; lc_exc = NULL; goto " + label + ";");
                            break;
                    }
                }
                Line("goto " + (b.Parent == null ? "EH_exit" : "EH_" + b.Parent.Id) + ";");
            }
            code.Append("EH_exit:;\n");
            TypeReference ret = R(m.Def.ReturnType);
            Line(ret.FullName == "System.Void" ? "return;" : "return ret_zero;");
        }

        // ---- instructions ----

        string Arg(int index)
        {
            if (m.Def.HasThis) return index == 0 ? "self" : "a" + (index - 1);
            return "a" + index;
        }

        TypeReference ArgType(int index)
        {
            if (m.Def.HasThis)
            {
                if (index == 0)
                    return m.Declaring.IsValueType ? (TypeReference)new ByReferenceType(m.Declaring.Ref) : m.Declaring.Ref;
                index--;
            }
            return R(m.Def.Parameters[index].ParameterType);
        }

        int ArgIndex(Instruction ins)
        {
            switch (ins.OpCode.Code)
            {
                case Code.Ldarg_0: return 0;
                case Code.Ldarg_1: return 1;
                case Code.Ldarg_2: return 2;
                case Code.Ldarg_3: return 3;
            }
            var p = ins.Operand as ParameterDefinition;
            if (p == null) throw Error("bad argument operand");
            return p.Index + (m.Def.HasThis ? 1 : 0);
        }

        TypeReference LocType(int i) { return R(body.Variables[i].VariableType); }

        /// The local an instruction stores or loads, or -1.
        static int LocalOf(Instruction ins)
        {
            switch (ins.OpCode.Code)
            {
                case Code.Ldloc_0: case Code.Stloc_0: return 0;
                case Code.Ldloc_1: case Code.Stloc_1: return 1;
                case Code.Ldloc_2: case Code.Stloc_2: return 2;
                case Code.Ldloc_3: case Code.Stloc_3: return 3;
            }
            var v = ins.Operand as VariableDefinition;
            return v == null ? -1 : v.Index;
        }

        static string Lbl(Instruction i) { return "IL_" + i.Offset.ToString("x4"); }

        /// Returns whether the next instruction is reachable by falling through.
        bool Instruction(Instruction ins)
        {
            Code c = ins.OpCode.Code;
            switch (c)
            {
                case Code.Nop:
                case Code.Readonly:
                case Code.Volatile:
                case Code.Tail:
                    return true;
                case Code.Constrained:
                    constrained = R((TypeReference)ins.Operand);
                    return true;
                case Code.Break:
                    return true;

                case Code.Ldc_I4_M1: Line(Push(StackKind.I4, null) + " = -1;"); return true;
                case Code.Ldc_I4_0: case Code.Ldc_I4_1: case Code.Ldc_I4_2: case Code.Ldc_I4_3: case Code.Ldc_I4_4:
                case Code.Ldc_I4_5: case Code.Ldc_I4_6: case Code.Ldc_I4_7: case Code.Ldc_I4_8:
                    Line(Push(StackKind.I4, null) + " = " + (c - Code.Ldc_I4_0) + ";");
                    return true;
                case Code.Ldc_I4_S: Line(Push(StackKind.I4, null) + " = " + (sbyte)ins.Operand + ";"); return true;
                case Code.Ldc_I4:
                    {
                        int v = (int)ins.Operand;
                        Line(Push(StackKind.I4, null) + " = " + (v == int.MinValue ? "INT32_MIN" : v.ToString()) + ";");
                        return true;
                    }
                case Code.Ldc_I8:
                    {
                        long v = (long)ins.Operand;
                        Line(Push(StackKind.I8, null) + " = " + (v == long.MinValue ? "INT64_MIN" : v + "LL") + ";");
                        return true;
                    }
                case Code.Ldc_R4: Line(Push(StackKind.R8, null) + " = " + Floats.Literal((float)ins.Operand) + ";"); return true;
                case Code.Ldc_R8: Line(Push(StackKind.R8, null) + " = " + Floats.Literal((double)ins.Operand) + ";"); return true;
                case Code.Ldnull: Line(Push(StackKind.Ptr, null) + " = NULL;"); return true;
                case Code.Ldstr: Line(Push(StackKind.Ptr, null) + " = (void*)&" + tr.StringLiteral((string)ins.Operand) + ";"); return true;

                case Code.Ldarg_0: case Code.Ldarg_1: case Code.Ldarg_2: case Code.Ldarg_3: case Code.Ldarg_S: case Code.Ldarg:
                    {
                        int i = ArgIndex(ins);
                        TypeReference t = ArgType(i);
                        Line(PushFor(t) + " = " + Arg(i) + ";");
                        return true;
                    }
                case Code.Ldarga: case Code.Ldarga_S:
                    {
                        int i = ArgIndex(ins);
                        Line(Push(StackKind.Ptr, new ByReferenceType(ArgType(i))) + " = (void*)&" + Arg(i) + ";");
                        return true;
                    }
                case Code.Starg: case Code.Starg_S:
                    {
                        int i = ArgIndex(ins);
                        Slot v = Pop();
                        Line(Arg(i) + " = " + Convert(v, ArgType(i)) + ";");
                        return true;
                    }
                case Code.Ldloc_0: case Code.Ldloc_1: case Code.Ldloc_2: case Code.Ldloc_3: case Code.Ldloc_S: case Code.Ldloc:
                    {
                        int i = LocalOf(ins);
                        Line(PushFor(LocType(i)) + " = loc" + i + ";");
                        return true;
                    }
                case Code.Ldloca: case Code.Ldloca_S:
                    {
                        int i = ((VariableDefinition)ins.Operand).Index;
                        Line(Push(StackKind.Ptr, new ByReferenceType(LocType(i))) + " = (void*)&loc" + i + ";");
                        return true;
                    }
                case Code.Stloc_0: case Code.Stloc_1: case Code.Stloc_2: case Code.Stloc_3: case Code.Stloc_S: case Code.Stloc:
                    {
                        int i = LocalOf(ins);
                        Slot v = Pop();
                        Line("loc" + i + " = " + Convert(v, LocType(i)) + ";");
                        return true;
                    }
                case Code.Dup:
                    {
                        Slot v = Pop();
                        stack.Add(v);
                        Line(Push(v.Kind, v.Type) + " = " + v.Name + ";");
                        return true;
                    }
                case Code.Pop: Pop(); return true;

                case Code.Add: case Code.Sub: case Code.Mul: case Code.Div: case Code.Div_Un: case Code.Rem: case Code.Rem_Un:
                case Code.And: case Code.Or: case Code.Xor: case Code.Shl: case Code.Shr: case Code.Shr_Un:
                case Code.Add_Ovf: case Code.Add_Ovf_Un: case Code.Sub_Ovf: case Code.Sub_Ovf_Un: case Code.Mul_Ovf: case Code.Mul_Ovf_Un:
                    Binary(c);
                    return true;
                case Code.Neg:
                    {
                        Slot v = Pop();
                        string r = Push(v.Kind, v.Type);
                        if (v.Kind == StackKind.I4) Line(r + " = (int32_t)(0u - (uint32_t)" + v.Name + ");");
                        else if (v.Kind == StackKind.I8) Line(r + " = (int64_t)(0ull - (uint64_t)" + v.Name + ");");
                        else Line(r + " = -" + v.Name + ";");
                        return true;
                    }
                case Code.Not:
                    {
                        Slot v = Pop();
                        Line(Push(v.Kind, v.Type) + " = ~" + v.Name + ";");
                        return true;
                    }
                case Code.Ceq: case Code.Cgt: case Code.Cgt_Un: case Code.Clt: case Code.Clt_Un:
                    {
                        Slot b = Pop(), a = Pop();
                        Line(Push(StackKind.I4, null) + " = " + Compare(c, a, b) + ";");
                        return true;
                    }
                case Code.Ckfinite:
                    {
                        Slot v = Pop();
                        stack.Add(v);
                        Line("if (!isfinite(" + v.Name + ")) { lc_throw_overflow(); goto " + Dispatch(ins.Offset) + "; }");
                        return true;
                    }

                case Code.Conv_I1: case Code.Conv_I2: case Code.Conv_I4: case Code.Conv_I8: case Code.Conv_U1: case Code.Conv_U2:
                case Code.Conv_U4: case Code.Conv_U8: case Code.Conv_R4: case Code.Conv_R8: case Code.Conv_R_Un: case Code.Conv_I: case Code.Conv_U:
                case Code.Conv_Ovf_I1: case Code.Conv_Ovf_I2: case Code.Conv_Ovf_I4: case Code.Conv_Ovf_I8: case Code.Conv_Ovf_U1:
                case Code.Conv_Ovf_U2: case Code.Conv_Ovf_U4: case Code.Conv_Ovf_U8: case Code.Conv_Ovf_I: case Code.Conv_Ovf_U:
                case Code.Conv_Ovf_I1_Un: case Code.Conv_Ovf_I2_Un: case Code.Conv_Ovf_I4_Un: case Code.Conv_Ovf_I8_Un: case Code.Conv_Ovf_U1_Un:
                case Code.Conv_Ovf_U2_Un: case Code.Conv_Ovf_U4_Un: case Code.Conv_Ovf_U8_Un: case Code.Conv_Ovf_I_Un: case Code.Conv_Ovf_U_Un:
                    Conversion(c);
                    return true;

                case Code.Br: case Code.Br_S:
                    Line("goto " + Lbl((Instruction)ins.Operand) + ";");
                    return false;
                case Code.Brfalse: case Code.Brfalse_S:
                    {
                        Slot v = Pop();
                        Line("if (!" + v.Name + ") goto " + Lbl((Instruction)ins.Operand) + ";");
                        return true;
                    }
                case Code.Brtrue: case Code.Brtrue_S:
                    {
                        Slot v = Pop();
                        Line("if (" + v.Name + ") goto " + Lbl((Instruction)ins.Operand) + ";");
                        return true;
                    }
                case Code.Beq: case Code.Beq_S: return CondBranch(Code.Ceq, false, ins);
                case Code.Bne_Un: case Code.Bne_Un_S: return CondBranch(Code.Ceq, true, ins);
                case Code.Bgt: case Code.Bgt_S: return CondBranch(Code.Cgt, false, ins);
                case Code.Bgt_Un: case Code.Bgt_Un_S: return CondBranch(Code.Cgt_Un, false, ins);
                case Code.Blt: case Code.Blt_S: return CondBranch(Code.Clt, false, ins);
                case Code.Blt_Un: case Code.Blt_Un_S: return CondBranch(Code.Clt_Un, false, ins);
                // a >= b is !(a < b) for integers; for floats bge is "not unordered-less".
                case Code.Bge: case Code.Bge_S: return CondBranch(Code.Clt_Un, true, ins, Code.Clt);
                case Code.Bge_Un: case Code.Bge_Un_S: return CondBranch(Code.Clt, true, ins, Code.Clt_Un);
                case Code.Ble: case Code.Ble_S: return CondBranch(Code.Cgt_Un, true, ins, Code.Cgt);
                case Code.Ble_Un: case Code.Ble_Un_S: return CondBranch(Code.Cgt, true, ins, Code.Cgt_Un);
                case Code.Switch:
                    {
                        Slot v = Pop();
                        var targets = (Instruction[])ins.Operand;
                        var sb = new StringBuilder("switch ((uint32_t)" + v.Name + ") {");
                        for (int i = 0; i < targets.Length; i++) sb.Append(" case " + i + ": goto " + Lbl(targets[i]) + ";");
                        sb.Append(" default: break; }");
                        Line(sb.ToString());
                        return true;
                    }
                case Code.Ret:
                    {
                        TypeReference ret = R(m.Def.ReturnType);
                        if (ret.FullName == "System.Void") Line("return;");
                        else Line("return " + Convert(Pop(), ret) + ";");
                        return false;
                    }
                case Code.Throw:
                    {
                        Slot v = Pop();
                        Line("lc_throw(" + v.Name + "); goto " + Dispatch(ins.Offset) + ";");
                        return false;
                    }
                case Code.Rethrow:
                    {
                        ExceptionHandler h = CatchHandlerAt(ins.Offset);
                        if (h == null) throw Error("rethrow outside a catch handler");
                        Line("lc_exc = caught_" + h.HandlerStart.Offset + "; goto " + Dispatch(ins.Offset) + ";");
                        return false;
                    }
                case Code.Leave: case Code.Leave_S:
                    Leave(ins, (Instruction)ins.Operand);
                    return false;
                case Code.Endfinally:
                    {
                        ExceptionHandler h = FinallyAt(ins.Offset);
                        if (h == null) throw Error("endfinally outside a finally handler");
                        int hs = h.HandlerStart.Offset;
                        // Exits are known only once every leave was seen: patched by Patch.
                        Line("FINALLY_SWITCH_" + hs);
                        pendingSwitches.Add(h);
                        return false;
                    }

                case Code.Call: case Code.Callvirt:
                    Call(ins, c == Code.Callvirt);
                    constrained = null;
                    return true;
                case Code.Newobj: NewObj((MethodReference)ins.Operand); return true;

                case Code.Ldfld: case Code.Ldflda: case Code.Stfld:
                case Code.Ldsfld: case Code.Ldsflda: case Code.Stsfld:
                    FieldAccess(c, (FieldReference)ins.Operand);
                    return true;

                case Code.Castclass: case Code.Isinst:
                    {
                        TypeInfo t = types.Get(R((TypeReference)ins.Operand));
                        Slot v = Pop();
                        if (t.IsValueType)
                        {
                            // isinst/castclass to a value type: keep the box, checked.
                            tr.RequireDescriptor(t);
                            string r0 = Push(StackKind.Ptr, t.Ref);
                            Line(r0 + " = (" + v.Name + " && ((lc_header*)" + v.Name + ")->type == &" + t.Descriptor + ") ? " + v.Name + " : NULL;");
                            if (c == Code.Castclass) Line("if (" + v.Name + " && !" + r0 + ") { lc_throw_invalid_cast(); goto " + Dispatch(ins.Offset) + "; }");
                            return true;
                        }
                        tr.RequireDescriptor(t);
                        string r = Push(StackKind.Ptr, t.Ref);
                        if (t.IsObject) Line(r + " = " + v.Name + ";");
                        else if (c == Code.Isinst) Line(r + " = lc_isinst(" + v.Name + ", &" + t.Descriptor + ");");
                        else
                        {
                            Line(r + " = lc_castclass(" + v.Name + ", &" + t.Descriptor + ");");
                            Check();
                        }
                        return true;
                    }
                case Code.Box:
                    {
                        TypeReference tr0 = R((TypeReference)ins.Operand);
                        TypeInfo t = types.Get(tr0);
                        Slot v = Pop();
                        string r = Push(StackKind.Ptr, tr0);
                        if (!t.IsValueType) { Line(r + " = " + v.Name + ";"); return true; }
                        if (t.FullName.StartsWith("System.Nullable`1"))
                        {
                            // A null Nullable boxes to null, a set one to its value.
                            TypeInfo inner = types.Get(((GenericInstanceType)t.Ref).GenericArguments[0]);
                            tr.Construct(inner);
                            string hv = t.Fields[0].CName, vv = t.Fields[1].CName;
                            Line("{ " + inner.CType + " bx = " + v.Name + "." + vv + "; " + r + " = " + v.Name + "." + hv + " ? lc_box(&" + inner.Descriptor + ", &bx) : NULL; }");
                            return true;
                        }
                        tr.Construct(t);
                        string tmp = Temp(t.CType, "box");
                        Line(tmp + " = " + Convert(v, tr0) + ";");
                        Line(r + " = lc_box(&" + t.Descriptor + ", &" + tmp + ");");
                        return true;
                    }
                case Code.Unbox_Any: case Code.Unbox:
                    {
                        TypeReference tr0 = R((TypeReference)ins.Operand);
                        TypeInfo t = types.Get(tr0);
                        Slot v = Pop();
                        if (!t.IsValueType)
                        {
                            tr.RequireDescriptor(t);
                            string r0 = Push(StackKind.Ptr, tr0);
                            Line(r0 + " = lc_castclass(" + v.Name + ", &" + t.Descriptor + ");");
                            Check();
                            return true;
                        }
                        if (t.FullName.StartsWith("System.Nullable`1"))
                        {
                            TypeInfo inner = types.Get(((GenericInstanceType)t.Ref).GenericArguments[0]);
                            tr.RequireDescriptor(inner);
                            string rn = Push(StackKind.Value, tr0);
                            Line("memset(&" + rn + ", 0, sizeof " + rn + ");");
                            Line("if (" + v.Name + ") { if (((lc_header*)" + v.Name + ")->type != &" + inner.Descriptor + ") { lc_throw_invalid_cast(); goto " + Dispatch(ins.Offset) + "; } " +
                                 rn + "." + t.Fields[0].CName + " = 1; " + rn + "." + t.Fields[1].CName + " = *(" + inner.CType + "*)LC_UNBOX(" + v.Name + "); }");
                            return true;
                        }
                        tr.RequireDescriptor(t);
                        NullCheck(v.Name);
                        Line("if (((lc_header*)" + v.Name + ")->type != &" + t.Descriptor + " && !(" + UnboxCompatible(t, v.Name) + ")) { lc_throw_invalid_cast(); goto " + Dispatch(ins.Offset) + "; }");
                        if (c == Code.Unbox) Line(Push(StackKind.Ptr, new ByReferenceType(tr0)) + " = LC_UNBOX(" + v.Name + ");");
                        else Line(PushFor(tr0) + " = *(" + t.CType + "*)LC_UNBOX(" + v.Name + ");");
                        return true;
                    }
                case Code.Newarr:
                    {
                        TypeReference elem = R((TypeReference)ins.Operand);
                        TypeInfo at = types.Get(new ArrayType(elem));
                        tr.Construct(at);
                        Slot n = Pop();
                        string r = Push(StackKind.Ptr, at.Ref);
                        Line(r + " = lc_new_array(&" + at.Descriptor + ", (int32_t)" + n.Name + ");");
                        Check();
                        return true;
                    }
                case Code.Ldlen:
                    {
                        Slot a = Pop();
                        NullCheck(a.Name);
                        Line(Push(StackKind.Native, null) + " = ((lc_array*)" + a.Name + ")->length;");
                        return true;
                    }
                case Code.Ldelema:
                    {
                        Slot i = Pop(), a = Pop();
                        TypeReference et = R((TypeReference)ins.Operand);
                        Bounds(a, i);
                        Line(Push(StackKind.Ptr, new ByReferenceType(et)) + " = (void*)&LC_ARRAY_AT(" + a.Name + ", " + types.CType(et) + ", " + i.Name + ");");
                        return true;
                    }
                case Code.Ldelem_I1: return LoadElem("int8_t");
                case Code.Ldelem_U1: return LoadElem("uint8_t");
                case Code.Ldelem_I2: return LoadElem("int16_t");
                case Code.Ldelem_U2: return LoadElem("uint16_t");
                case Code.Ldelem_I4: return LoadElem("int32_t");
                case Code.Ldelem_U4: return LoadElem("uint32_t");
                case Code.Ldelem_I8: return LoadElem("int64_t");
                case Code.Ldelem_I: return LoadElem("intptr_t");
                case Code.Ldelem_R4: return LoadElem("float");
                case Code.Ldelem_R8: return LoadElem("double");
                case Code.Ldelem_Ref: return LoadElem("void*");
                case Code.Ldelem_Any: return LoadElem(null, R((TypeReference)ins.Operand));
                case Code.Stelem_I1: return StoreElem("int8_t");
                case Code.Stelem_I2: return StoreElem("int16_t");
                case Code.Stelem_I4: return StoreElem("int32_t");
                case Code.Stelem_I8: return StoreElem("int64_t");
                case Code.Stelem_I: return StoreElem("intptr_t");
                case Code.Stelem_R4: return StoreElem("float");
                case Code.Stelem_R8: return StoreElem("double");
                case Code.Stelem_Ref: return StoreElem("void*");
                case Code.Stelem_Any: return StoreElem(null, R((TypeReference)ins.Operand));

                case Code.Ldind_I1: return LoadInd("int8_t", StackKind.I4);
                case Code.Ldind_U1: return LoadInd("uint8_t", StackKind.I4);
                case Code.Ldind_I2: return LoadInd("int16_t", StackKind.I4);
                case Code.Ldind_U2: return LoadInd("uint16_t", StackKind.I4);
                case Code.Ldind_I4: return LoadInd("int32_t", StackKind.I4);
                case Code.Ldind_U4: return LoadInd("uint32_t", StackKind.I4);
                case Code.Ldind_I8: return LoadInd("int64_t", StackKind.I8);
                case Code.Ldind_I: return LoadInd("intptr_t", StackKind.Native);
                case Code.Ldind_R4: return LoadInd("float", StackKind.R8);
                case Code.Ldind_R8: return LoadInd("double", StackKind.R8);
                case Code.Ldind_Ref: return LoadInd("void*", StackKind.Ptr);
                case Code.Stind_I1: return StoreInd("int8_t");
                case Code.Stind_I2: return StoreInd("int16_t");
                case Code.Stind_I4: return StoreInd("int32_t");
                case Code.Stind_I8: return StoreInd("int64_t");
                case Code.Stind_I: return StoreInd("intptr_t");
                case Code.Stind_R4: return StoreInd("float");
                case Code.Stind_R8: return StoreInd("double");
                case Code.Stind_Ref: return StoreInd("void*");
                case Code.Ldobj:
                    {
                        TypeReference t = R((TypeReference)ins.Operand);
                        Slot p = Pop();
                        Line(PushFor(t) + " = *(" + types.CType(t) + "*)" + p.Name + ";");
                        return true;
                    }
                case Code.Stobj:
                    {
                        TypeReference t = R((TypeReference)ins.Operand);
                        Slot v = Pop(), p = Pop();
                        Line("*(" + types.CType(t) + "*)" + p.Name + " = " + Convert(v, t) + ";");
                        return true;
                    }
                case Code.Cpobj:
                    {
                        TypeReference t = R((TypeReference)ins.Operand);
                        Slot src = Pop(), dst = Pop();
                        Line("*(" + types.CType(t) + "*)" + dst.Name + " = *(" + types.CType(t) + "*)" + src.Name + ";");
                        return true;
                    }
                case Code.Initobj:
                    {
                        TypeReference t = R((TypeReference)ins.Operand);
                        Slot p = Pop();
                        Line("memset(" + p.Name + ", 0, sizeof(" + types.CType(t) + "));");
                        return true;
                    }
                case Code.Sizeof:
                    {
                        TypeReference t = R((TypeReference)ins.Operand);
                        Line(Push(StackKind.I4, null) + " = (int32_t)sizeof(" + types.CType(t) + ");");
                        return true;
                    }
                case Code.Ldtoken:
                    {
                        var f = ins.Operand as FieldDefinition;
                        if (f != null && f.InitialValue != null && f.InitialValue.Length > 0)
                        {
                            Line(Push(StackKind.Ptr, null) + " = (void*)" + tr.InitialData(f) + ";");
                            return true;
                        }
                        throw Error("typeof and other run-time type tokens are not supported (no reflection)");
                    }
                case Code.Ldftn:
                    {
                        MethodInst target = types.Method((MethodReference)ins.Operand, m.Context);
                        tr.Require(target);
                        Line(Push(StackKind.Native, null) + " = (intptr_t)" + tr.DelegateEntry(target) + ";");
                        return true;
                    }
                case Code.Ldvirtftn:
                    {
                        MethodInst target = types.Method((MethodReference)ins.Operand, m.Context);
                        Slot obj = Pop();
                        NullCheck(obj.Name);
                        string r = Push(StackKind.Native, null);
                        if (target.Declaring.IsInterface)
                        {
                            int slot = types.InterfaceMethods(target.Declaring).FindIndex(x => x.Def == target.Def);
                            tr.RequireDescriptor(target.Declaring);
                            Line(r + " = (intptr_t)lc_iface(" + obj.Name + ", &" + target.Declaring.Descriptor + ", " + slot + ");");
                        }
                        else if (!target.Def.IsVirtual) { tr.Require(target); Line(r + " = (intptr_t)" + tr.DelegateEntry(target) + ";"); }
                        else Line(r + " = (intptr_t)((lc_header*)" + obj.Name + ")->type->vtable[" + types.Slot(target) + "];");
                        return true;
                    }
                case Code.Localloc: throw Error("stackalloc is not supported");
                case Code.Arglist: throw Error("__arglist is not supported");
                case Code.Jmp: case Code.Calli: throw Error("calli/jmp are not supported");
                case Code.Mkrefany: case Code.Refanyval: case Code.Refanytype: throw Error("TypedReference is not supported");
                default:
                    throw Error("IL instruction " + ins.OpCode.Name + " is not supported");
            }
        }

        readonly List<ExceptionHandler> pendingSwitches = new List<ExceptionHandler>();

        /// The finally switches, once every leave has registered its exit.
        public string Patch(string text)
        {
            foreach (ExceptionHandler h in pendingSwitches)
            {
                int hs = h.HandlerStart.Offset;
                var sb = new StringBuilder("switch (fin_" + hs + ") { ");
                foreach (KeyValuePair<int, string> exit in finallyExits[h]) sb.Append("case " + exit.Key + ": goto " + exit.Value + "; ");
                TryBlock b = tries.First(t => t.Handlers.Contains(h));
                sb.Append("default: lc_exc = finexc_" + hs + "; goto " + (b.Parent == null ? "EH_exit" : "EH_" + b.Parent.Id) + "; }");
                text = text.Replace("FINALLY_SWITCH_" + hs, sb.ToString());
            }
            return text;
        }

        ExceptionHandler CatchHandlerAt(int offset)
        {
            ExceptionHandler best = null;
            foreach (TryBlock b in tries)
                foreach (ExceptionHandler h in b.Handlers)
                    if (h.HandlerType == ExceptionHandlerType.Catch && h.HandlerStart.Offset <= offset && offset < End(h))
                        if (best == null || h.HandlerStart.Offset > best.HandlerStart.Offset) best = h;
            return best;
        }

        ExceptionHandler FinallyAt(int offset)
        {
            ExceptionHandler best = null;
            foreach (TryBlock b in tries)
                foreach (ExceptionHandler h in b.Handlers)
                    if ((h.HandlerType == ExceptionHandlerType.Finally || h.HandlerType == ExceptionHandlerType.Fault) && h.HandlerStart.Offset <= offset && offset < End(h))
                        if (best == null || h.HandlerStart.Offset > best.HandlerStart.Offset) best = h;
            return best;
        }

        /// `leave target`: run each finally whose try holds this instruction but not the
        /// target (innermost first), then go there.
        void Leave(Instruction ins, Instruction target)
        {
            var crossed = new List<ExceptionHandler>();
            foreach (TryBlock b in tries.OrderBy(t => t.End - t.Start))
            {
                bool holdsHere = b.Start <= ins.Offset && ins.Offset < b.End;
                bool holdsTarget = b.Start <= target.Offset && target.Offset < b.End;
                if (!holdsHere || holdsTarget) continue;
                foreach (ExceptionHandler h in b.Handlers)
                    if (h.HandlerType == ExceptionHandlerType.Finally) crossed.Add(h);
            }
            stack.Clear();
            foreach (ExceptionHandler h in crossed)
            {
                int id = ++leaveCounter;
                string back = "LV_" + id;
                finallyExits[h].Add(new KeyValuePair<int, string>(id, back));
                Line("fin_" + h.HandlerStart.Offset + " = " + id + "; goto IL_" + h.HandlerStart.Offset.ToString("x4") + ";");
                code.Append(back).Append(":;\n");
            }
            Line("goto " + Lbl(target) + ";");
            Remember(target.Offset);
        }

        // ---- arithmetic ----

        static bool IsFloat(Slot s) { return s.Kind == StackKind.R8; }

        void Binary(Code c)
        {
            Slot b = Pop(), a = Pop();
            StackKind k = a.Kind;
            if (a.Kind == StackKind.Native || b.Kind == StackKind.Native) k = StackKind.Native;
            if (a.Kind == StackKind.Ptr || b.Kind == StackKind.Ptr) k = StackKind.Ptr;
            if (c == Code.Shl || c == Code.Shr || c == Code.Shr_Un) k = a.Kind;
            string r = Push(k, null);
            string eh = Dispatch(current.Offset);
            if (k == StackKind.R8)
            {
                switch (c)
                {
                    case Code.Add: Line(r + " = " + a.Name + " + " + b.Name + ";"); return;
                    case Code.Sub: Line(r + " = " + a.Name + " - " + b.Name + ";"); return;
                    case Code.Mul: Line(r + " = " + a.Name + " * " + b.Name + ";"); return;
                    case Code.Div: Line(r + " = " + a.Name + " / " + b.Name + ";"); return;
                    case Code.Rem: Line(r + " = fmod(" + a.Name + ", " + b.Name + ");"); return;
                    default: throw Error("bad floating-point operation " + c);
                }
            }
            if (k == StackKind.Ptr)
            {
                // Pointer arithmetic (unsafe code, ldelema-style offsets).
                string op = c == Code.Add ? "+" : c == Code.Sub ? "-" : null;
                if (op == null) throw Error("unsupported pointer arithmetic " + c);
                if (a.Kind == StackKind.Ptr && b.Kind == StackKind.Ptr) { Line(r + " = (void*)((char*)" + a.Name + " - (char*)" + b.Name + ");"); return; }
                string p = a.Kind == StackKind.Ptr ? a.Name : b.Name, n = a.Kind == StackKind.Ptr ? b.Name : a.Name;
                Line(r + " = (void*)((char*)" + p + " " + op + " (intptr_t)" + n + ");");
                return;
            }
            string st = k == StackKind.I8 ? "int64_t" : k == StackKind.Native ? "intptr_t" : "int32_t";
            string ut = k == StackKind.I8 ? "uint64_t" : k == StackKind.Native ? "uintptr_t" : "uint32_t";
            string bits = k == StackKind.I8 ? "63" : k == StackKind.Native ? "(sizeof(intptr_t) * 8 - 1)" : "31";
            string min = k == StackKind.I8 ? "INT64_MIN" : k == StackKind.Native ? "INTPTR_MIN" : "INT32_MIN";
            string A = "(" + st + ")" + a.Name, B = "(" + st + ")" + b.Name;
            switch (c)
            {
                case Code.Add: Line(r + " = (" + st + ")((" + ut + ")" + A + " + (" + ut + ")" + B + ");"); return;
                case Code.Sub: Line(r + " = (" + st + ")((" + ut + ")" + A + " - (" + ut + ")" + B + ");"); return;
                case Code.Mul: Line(r + " = (" + st + ")((" + ut + ")" + A + " * (" + ut + ")" + B + ");"); return;
                case Code.And: Line(r + " = " + A + " & " + B + ";"); return;
                case Code.Or: Line(r + " = " + A + " | " + B + ";"); return;
                case Code.Xor: Line(r + " = " + A + " ^ " + B + ";"); return;
                case Code.Shl: Line(r + " = (" + st + ")((" + ut + ")" + A + " << ((int)" + b.Name + " & " + bits + "));"); return;
                case Code.Shr: Line(r + " = " + A + " >> ((int)" + b.Name + " & " + bits + ");"); return;
                case Code.Shr_Un: Line(r + " = (" + st + ")((" + ut + ")" + A + " >> ((int)" + b.Name + " & " + bits + "));"); return;
                case Code.Div:
                case Code.Rem:
                    Line("if (" + B + " == 0) { lc_throw_divide_by_zero(); goto " + eh + "; }");
                    Line("if (" + B + " == -1 && " + A + " == " + min + ") { lc_throw_overflow(); goto " + eh + "; }");
                    Line(r + " = " + A + (c == Code.Div ? " / " : " % ") + B + ";");
                    return;
                case Code.Div_Un:
                case Code.Rem_Un:
                    Line("if (" + B + " == 0) { lc_throw_divide_by_zero(); goto " + eh + "; }");
                    Line(r + " = (" + st + ")((" + ut + ")" + A + (c == Code.Div_Un ? " / " : " % ") + "(" + ut + ")" + B + ");");
                    return;
                case Code.Add_Ovf:
                case Code.Sub_Ovf:
                case Code.Mul_Ovf:
                    {
                        string fn = c == Code.Add_Ovf ? "__builtin_add_overflow" : c == Code.Sub_Ovf ? "__builtin_sub_overflow" : "__builtin_mul_overflow";
                        Line("{ " + st + " ov; if (" + fn + "(" + A + ", " + B + ", &ov)) { lc_throw_overflow(); goto " + eh + "; } " + r + " = ov; }");
                        return;
                    }
                case Code.Add_Ovf_Un:
                case Code.Sub_Ovf_Un:
                case Code.Mul_Ovf_Un:
                    {
                        string fn = c == Code.Add_Ovf_Un ? "__builtin_add_overflow" : c == Code.Sub_Ovf_Un ? "__builtin_sub_overflow" : "__builtin_mul_overflow";
                        Line("{ " + ut + " ov; if (" + fn + "((" + ut + ")" + A + ", (" + ut + ")" + B + ", &ov)) { lc_throw_overflow(); goto " + eh + "; } " + r + " = (" + st + ")ov; }");
                        return;
                    }
            }
            throw Error("bad operation " + c);
        }

        string Compare(Code c, Slot a, Slot b)
        {
            if (IsFloat(a) || IsFloat(b))
            {
                switch (c)
                {
                    case Code.Ceq: return "(" + a.Name + " == " + b.Name + ")";
                    case Code.Cgt: return "(" + a.Name + " > " + b.Name + ")";
                    case Code.Clt: return "(" + a.Name + " < " + b.Name + ")";
                    case Code.Cgt_Un: return "(!(" + a.Name + " <= " + b.Name + "))";
                    case Code.Clt_Un: return "(!(" + a.Name + " >= " + b.Name + "))";
                }
            }
            bool wide = a.Kind == StackKind.I8 || b.Kind == StackKind.I8;
            bool ptr = a.Kind == StackKind.Ptr || b.Kind == StackKind.Ptr || a.Kind == StackKind.Native || b.Kind == StackKind.Native;
            string st = wide ? "int64_t" : ptr ? "intptr_t" : "int32_t";
            string ut = wide ? "uint64_t" : ptr ? "uintptr_t" : "uint32_t";
            switch (c)
            {
                case Code.Ceq: return "((" + st + ")" + a.Name + " == (" + st + ")" + b.Name + ")";
                case Code.Cgt: return "((" + st + ")" + a.Name + " > (" + st + ")" + b.Name + ")";
                case Code.Clt: return "((" + st + ")" + a.Name + " < (" + st + ")" + b.Name + ")";
                case Code.Cgt_Un: return "((" + ut + ")" + a.Name + " > (" + ut + ")" + b.Name + ")";
                case Code.Clt_Un: return "((" + ut + ")" + a.Name + " < (" + ut + ")" + b.Name + ")";
            }
            throw Error("bad comparison");
        }

        /// Conditional branch on `cmp` (negated when `negate`); `intCmp` replaces `cmp` for
        /// integers (bge/ble differ for floats only in how NaN goes).
        bool CondBranch(Code cmp, bool negate, Instruction ins, Code intCmp = Code.Nop)
        {
            Slot b = Pop(), a = Pop();
            Code use = (intCmp != Code.Nop && !IsFloat(a) && !IsFloat(b)) ? intCmp : cmp;
            string cond = Compare(use, a, b); // parenthesized already
            Line("if " + (negate ? "(!" + cond + ")" : cond) + " goto " + Lbl((Instruction)ins.Operand) + ";");
            return true;
        }

        void Conversion(Code c)
        {
            Slot v = Pop();
            string eh = Dispatch(current.Offset);
            string src = v.Name;
            bool fromFloat = v.Kind == StackKind.R8;
            bool un = c.ToString().EndsWith("_Un");
            string target;
            StackKind k;
            switch (c)
            {
                case Code.Conv_I1: case Code.Conv_Ovf_I1: case Code.Conv_Ovf_I1_Un: target = "int8_t"; k = StackKind.I4; break;
                case Code.Conv_I2: case Code.Conv_Ovf_I2: case Code.Conv_Ovf_I2_Un: target = "int16_t"; k = StackKind.I4; break;
                case Code.Conv_I4: case Code.Conv_Ovf_I4: case Code.Conv_Ovf_I4_Un: target = "int32_t"; k = StackKind.I4; break;
                case Code.Conv_U1: case Code.Conv_Ovf_U1: case Code.Conv_Ovf_U1_Un: target = "uint8_t"; k = StackKind.I4; break;
                case Code.Conv_U2: case Code.Conv_Ovf_U2: case Code.Conv_Ovf_U2_Un: target = "uint16_t"; k = StackKind.I4; break;
                case Code.Conv_U4: case Code.Conv_Ovf_U4: case Code.Conv_Ovf_U4_Un: target = "uint32_t"; k = StackKind.I4; break;
                case Code.Conv_I8: case Code.Conv_Ovf_I8: case Code.Conv_Ovf_I8_Un: target = "int64_t"; k = StackKind.I8; break;
                case Code.Conv_U8: case Code.Conv_Ovf_U8: case Code.Conv_Ovf_U8_Un: target = "uint64_t"; k = StackKind.I8; break;
                case Code.Conv_I: case Code.Conv_Ovf_I: case Code.Conv_Ovf_I_Un: target = "intptr_t"; k = StackKind.Native; break;
                case Code.Conv_U: case Code.Conv_Ovf_U: case Code.Conv_Ovf_U_Un: target = "uintptr_t"; k = StackKind.Native; break;
                case Code.Conv_R4: target = "float"; k = StackKind.R8; break;
                case Code.Conv_R8: target = "double"; k = StackKind.R8; break;
                case Code.Conv_R_Un: target = "double"; k = StackKind.R8; src = "(double)(uint64_t)" + (v.Kind == StackKind.I4 ? "(uint32_t)" : "") + v.Name; break;
                default: throw Error("bad conversion " + c);
            }
            bool checkedConv = c.ToString().StartsWith("Conv_Ovf");
            string r = Push(k, null);
            if (checkedConv)
            {
                // Source as the widest type of its kind, compared against the target's range.
                string wide = fromFloat ? "double" : un ? "uint64_t" : "int64_t";
                string srcWide = fromFloat ? v.Name : un ? "(uint64_t)" + (v.Kind == StackKind.I4 ? "(uint32_t)" : "") + v.Name : "(int64_t)" + v.Name;
                string range = Floats.Range(target, wide, "cv");
                Line("{ " + wide + " cv = " + srcWide + "; if (" + range + ") { lc_throw_overflow(); goto " + eh + "; } " + r + " = (" + target + ")cv; }");
                return;
            }
            if (fromFloat && target != "float" && target != "double")
                Line(r + " = (" + target + ")lc_f2" + (target.StartsWith("u") ? "u64" : "i64") + "(" + v.Name + ");");
            else if (target == "float") Line(r + " = (double)(float)" + src + ";");
            else Line(r + " = (" + target + ")" + src + ";");
        }

        /// `v` as a value of type `t` (integers narrow, floats round, structs as they are).
        string Convert(Slot v, TypeReference t)
        {
            string ct = types.CType(t);
            if (v.Kind == StackKind.Value) return v.Name;
            if (ct == "void*") return "(void*)" + v.Name;
            if (v.Kind == StackKind.Ptr) return "(" + ct + ")(intptr_t)" + v.Name;
            return "(" + ct + ")" + v.Name;
        }

        // ---- arrays, pointers ----

        void Bounds(Slot a, Slot i)
        {
            string eh = Dispatch(current.Offset);
            Line("if (!" + a.Name + ") { lc_throw_null(); goto " + eh + "; }");
            Line("if ((uintptr_t)(intptr_t)" + i.Name + " >= (uintptr_t)((lc_array*)" + a.Name + ")->length) { lc_throw_index(); goto " + eh + "; }");
        }

        bool LoadElem(string ct, TypeReference t = null)
        {
            Slot i = Pop(), a = Pop();
            Bounds(a, i);
            if (ct == null) ct = types.CType(t);
            StackKind k = t != null ? types.Kind(t) : TypeInfo.KindOfCType(ct);
            Line(Push(k, t) + " = LC_ARRAY_AT(" + a.Name + ", " + ct + ", " + i.Name + ");");
            return true;
        }

        bool StoreElem(string ct, TypeReference t = null)
        {
            Slot v = Pop(), i = Pop(), a = Pop();
            Bounds(a, i);
            if (ct == null) ct = types.CType(t);
            if (ct == "void*")
            {
                Line("if (" + v.Name + " && !lc_is_assignable(((lc_header*)" + v.Name + ")->type, ((lc_header*)" + a.Name + ")->type->elem)) { lc_throw_array_type_mismatch(); goto " + Dispatch(current.Offset) + "; }");
                Line("if (!lc_store_ok(" + a.Name + ", " + v.Name + ")) { lc_throw_persistent_store(); goto " + Dispatch(current.Offset) + "; }");
            }
            string value = v.Kind == StackKind.Value ? v.Name : "(" + ct + ")" + (v.Kind == StackKind.Ptr && ct != "void*" ? "(intptr_t)" : "") + v.Name;
            Line("LC_ARRAY_AT(" + a.Name + ", " + ct + ", " + i.Name + ") = " + value + ";");
            return true;
        }

        bool LoadInd(string ct, StackKind k)
        {
            Slot p = Pop();
            NullCheck(p.Name);
            Line(Push(k, null) + " = *(" + ct + "*)" + p.Name + ";");
            return true;
        }

        bool StoreInd(string ct)
        {
            Slot v = Pop(), p = Pop();
            NullCheck(p.Name);
            Line("*(" + ct + "*)" + p.Name + " = (" + ct + ")" + (v.Kind == StackKind.Ptr && ct != "void*" ? "(intptr_t)" : "") + v.Name + ";");
            return true;
        }

        /// Unboxing an enum as its underlying type (or the reverse) is allowed.
        string UnboxCompatible(TypeInfo t, string obj)
        {
            return "((lc_header*)" + obj + ")->type->value_size == sizeof(" + t.CType + ") && ((((lc_header*)" + obj + ")->type->flags & LC_ENUM) || " + (t.IsEnum ? "1" : "0") + ")";
        }

        // ---- fields ----

        void FieldAccess(Code c, FieldReference fr)
        {
            FieldInfo f = types.Field(fr, m.Context);
            TypeInfo decl = f.Declaring;
            if (f.Def.IsStatic)
            {
                tr.RequireStatics(decl);
                if (decl.Cctor != null && !(m.Declaring == decl && m.Def.IsConstructor && m.Def.IsStatic))
                    Line("C_" + decl.Name + "();");
                string place = decl.StaticsName + "." + f.CName;
                bool cache = Translator.IsCompilerCache(f);
                switch (c)
                {
                    case Code.Ldsfld: Line(PushFor(f.Type) + " = " + place + ";"); break;
                    case Code.Ldsflda: Line(Push(StackKind.Ptr, new ByReferenceType(f.Type)) + " = (void*)&" + place + ";"); break;
                    case Code.Stsfld:
                        {
                            Slot v = Pop();
                            bool inCctor = m.Def.IsConstructor && m.Def.IsStatic && m.Declaring == decl;
                            if (!inCctor && !cache && types.Get(f.Type).HoldsReferences(types))
                                throw Error("a static field holding objects (" + decl.FullName + "." + f.Def.Name + ") may be set only by its static initializer or static constructor: objects made during a reducer are freed when it returns");
                            if (cache) tr.RegisterCache(decl, f);
                            Line(place + " = " + Convert(v, f.Type) + ";");
                            break;
                        }
                }
                return;
            }
            if (c == Code.Stfld)
            {
                Slot v = Pop(), o = Pop();
                string place = InstanceField(o, f);
                if (o.Kind == StackKind.Ptr && !decl.IsValueType && types.Kind(f.Type) == StackKind.Ptr && !f.Type.IsPointer && !f.Type.IsByReference)
                    Line("if (!lc_store_ok(" + o.Name + ", " + v.Name + ")) { lc_throw_persistent_store(); goto " + Dispatch(current.Offset) + "; }");
                Line(place + " = " + Convert(v, f.Type) + ";");
                return;
            }
            Slot obj = Pop();
            if (c == Code.Ldfld) Line(PushFor(f.Type) + " = " + InstanceField(obj, f) + ";");
            else Line(Push(StackKind.Ptr, new ByReferenceType(f.Type)) + " = (void*)&" + InstanceField(obj, f) + ";");
        }

        string InstanceField(Slot obj, FieldInfo f)
        {
            TypeInfo decl = f.Declaring;
            if (obj.Kind == StackKind.Value)
            {
                if (decl.PrimitiveCType != null) return obj.Name;
                return obj.Name + "." + f.CName;
            }
            if (obj.Kind != StackKind.Ptr && obj.Kind != StackKind.Native)
            {
                // A primitive's own value (m_value) read from the value itself.
                if (decl.PrimitiveCType != null) return obj.Name;
                throw Error("field access on a " + obj.Kind + " value");
            }
            NullCheck(obj.Name);
            if (decl.PrimitiveCType != null) return "(*(" + decl.PrimitiveCType + "*)" + obj.Name + ")";
            tr.RequireLayout(decl);
            return "((struct " + decl.StructName + "*)" + obj.Name + ")->" + f.CName;
        }

        // ---- calls ----

        void Call(Instruction ins, bool virt)
        {
            var mr = (MethodReference)ins.Operand;
            MethodInst target = types.Method(mr, m.Context);
            MethodDefinition def = target.Def;
            int n = def.Parameters.Count;
            var args = new List<Slot>();
            for (int i = 0; i < n; i++) args.Insert(0, Pop());
            Slot self = new Slot();
            if (def.HasThis) self = Pop();

            if (def.DeclaringType.FullName == "System.Runtime.CompilerServices.RuntimeHelpers" && def.Name == "InitializeArray")
            {
                Line("lc_init_array(" + args[0].Name + ", " + args[1].Name + ", " + tr.LastInitialDataSize + ");");
                return;
            }
            if (def.HasGenericParameters && def.IsVirtual && virt)
                throw Error("virtual generic methods (" + Naming.Display(def) + ") are not supported");

            var callArgs = new List<string>();
            for (int i = 0; i < n; i++) callArgs.Add(Convert(args[i], target.Context.Resolve(def.Parameters[i].ParameterType)));

            TypeReference ret = target.Context.Resolve(def.ReturnType);
            bool isVoid = ret.FullName == "System.Void";
            string call;
            string selfExpr = def.HasThis ? self.Name : null;

            if (def.HasThis && constrained != null)
            {
                TypeInfo ct = types.Get(constrained);
                if (!ct.IsValueType)
                {
                    selfExpr = "*(void**)" + self.Name;
                }
                else
                {
                    MethodInst own = OwnImplementation(ct, target);
                    if (own != null)
                    {
                        tr.Require(own);
                        call = own.CName + "(" + string.Join(", ", new[] { self.Name }.Concat(callArgs)) + ")";
                        Finish(call, ret, isVoid, own);
                        return;
                    }
                    tr.Construct(ct);
                    string boxed = Temp("void*", "cbox");
                    Line(boxed + " = lc_box(&" + ct.Descriptor + ", " + self.Name + ");");
                    selfExpr = boxed;
                }
            }

            if (def.HasThis && virt && selfExpr != null && !target.Declaring.IsValueType)
            {
                string objVar = selfExpr;
                if (!IsSimpleName(objVar))
                {
                    objVar = Temp("void*", "obj");
                    Line(objVar + " = " + selfExpr + ";");
                }
                NullCheck(objVar);
                selfExpr = objVar;
            }

            if (def.HasThis && virt && target.Declaring.IsInterface)
            {
                int slot = types.InterfaceMethods(target.Declaring).FindIndex(x => x.Def == def);
                tr.RequireDescriptor(target.Declaring);
                tr.RequireInterfaceUse(target);
                string fn = "((" + tr.FnPointerType(target) + ")lc_iface(" + selfExpr + ", &" + target.Declaring.Descriptor + ", " + slot + "))";
                call = fn + "(" + string.Join(", ", new[] { selfExpr }.Concat(callArgs)) + ")";
                Finish(call, ret, isVoid, null);
                return;
            }
            if (def.HasThis && virt && def.IsVirtual && !def.IsFinal && !target.Declaring.Def.IsSealed && !target.Declaring.IsValueType)
            {
                int slot = types.Slot(target);
                tr.RequireVirtual(target);
                string fn = "((" + tr.FnPointerType(target) + ")((lc_header*)" + selfExpr + ")->type->vtable[" + slot + "])";
                call = fn + "(" + string.Join(", ", new[] { selfExpr }.Concat(callArgs)) + ")";
                Finish(call, ret, isVoid, null);
                return;
            }
            if (def.IsAbstract) throw Error("call to abstract method " + Naming.Display(def) + " without virtual dispatch");
            tr.Require(target);
            if (!def.HasThis && target.Declaring.Cctor != null && target.Declaring != m.Declaring)
                Line("C_" + target.Declaring.Name + "();");
            var all = def.HasThis ? new[] { selfExpr }.Concat(callArgs) : callArgs;
            call = target.CName + "(" + string.Join(", ", all) + ")";
            Finish(call, ret, isVoid, target);
        }

        static bool IsSimpleName(string s) { return s.All(ch => char.IsLetterOrDigit(ch) || ch == '_'); }

        /// The value type's own implementation of `target` (an override declared on it).
        MethodInst OwnImplementation(TypeInfo vt, MethodInst target)
        {
            if (target.Declaring == vt) return target;
            MethodInst impl = target.Declaring.IsInterface ? types.Implementation(vt, target) : null;
            if (impl != null && impl.Declaring == vt) return impl;
            foreach (MethodDefinition md in vt.Def.Methods)
            {
                if (md.Name != target.Def.Name || md.IsStatic || md.Parameters.Count != target.Def.Parameters.Count) continue;
                MethodInst cand = types.Method(md, vt, null);
                bool same = true;
                for (int i = 0; i < md.Parameters.Count; i++)
                    if (cand.Context.Resolve(md.Parameters[i].ParameterType).FullName != target.Context.Resolve(target.Def.Parameters[i].ParameterType).FullName) same = false;
                if (same && md.IsVirtual) return cand;
            }
            return null;
        }

        void Finish(string call, TypeReference ret, bool isVoid, MethodInst direct)
        {
            bool mayThrow = direct == null || !tr.IsNoThrow(direct);
            if (isVoid) Line(call + ";");
            else Line(PushFor(ret) + " = " + call + ";");
            if (mayThrow) Check();
        }

        void NewObj(MethodReference mr)
        {
            MethodInst ctor = types.Method(mr, m.Context);
            TypeInfo t = ctor.Declaring;
            int n = ctor.Def.Parameters.Count;
            var args = new List<Slot>();
            for (int i = 0; i < n; i++) args.Insert(0, Pop());
            var callArgs = new List<string>();
            for (int i = 0; i < n; i++) callArgs.Add(Convert(args[i], ctor.Context.Resolve(ctor.Def.Parameters[i].ParameterType)));
            if (t.Cctor != null && t != m.Declaring)
            {
                // Its static constructor runs before the first instance is made, even when no
                // static field of it is ever read (which is what otherwise emits it).
                tr.RequireStatics(t);
                Line("C_" + t.Name + "();");
            }
            if (t.IsString)
            {
                MethodInst alt = tr.StringCtor(ctor);
                tr.Require(alt);
                Line(Push(StackKind.Ptr, t.Ref) + " = " + alt.CName + "(" + string.Join(", ", callArgs) + ");");
                Check();
                return;
            }
            if (t.IsValueType)
            {
                tr.Require(ctor);
                string tmp = Temp(t.CType, "nv");
                Line("memset(&" + tmp + ", 0, sizeof " + tmp + ");");
                Line(ctor.CName + "(" + string.Join(", ", new[] { "(void*)&" + tmp }.Concat(callArgs)) + ");");
                Check();
                Line(PushFor(t.Ref) + " = " + tmp + ";");
                return;
            }
            tr.Construct(t);
            tr.Require(ctor);
            string obj = Temp("void*", "new");
            Line(obj + " = lc_new(&" + t.Descriptor + ");");
            Line(ctor.CName + "(" + string.Join(", ", new[] { obj }.Concat(callArgs)) + ");");
            if (!tr.IsNoThrow(ctor)) Check();
            Line(Push(StackKind.Ptr, t.Ref) + " = " + obj + ";");
        }
    }
}
