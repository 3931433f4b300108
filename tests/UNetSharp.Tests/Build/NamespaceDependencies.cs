using System.Reflection;
using System.Reflection.Emit;

namespace UNetSharp.Tests.Build;

/// <summary>
/// Which of our namespaces uses which, read from the compiled assemblies: signatures (base types, interfaces, fields,
/// properties, parameters, return types, generic arguments) and method bodies (every type, method and field token in
/// the IL, lambdas and iterators included since the compiler nests them in the type that wrote them). Reading the IL
/// rather than the sources sees what is really used: an unused <c>using</c> is no dependency, a fully qualified name
/// is one.
/// </summary>
static class NamespaceDependencies
{
    const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>
    /// A layer: the namespace itself for the root, else its first two parts (UNetSharp.Inference, UNetSharp.Onnx,
    /// UNetSharp.Cli): sub-namespaces (Models.Layers, Training.Checkpoints, Cli.Commands) belong to their area, so an
    /// area that splits its files into folders is one layer, while a namespace moved out of an area (Inference.Jobs
    /// to Prediction) is a layer of its own.
    /// </summary>
    public static string Layer(string ns) => string.Join('.', ns.Split('.').Take(2));

    /// <summary>Edges "from → to" between distinct UNetSharp layers (<paramref name="layer"/>; default: every namespace
    /// its own), each with one example "type → type" use.</summary>
    public static Dictionary<(string From, string To), string> Of(IEnumerable<Assembly> assemblies, Func<string, string>? layer = null)
    {
        layer ??= ns => ns;
        var edges = new Dictionary<(string, string), string>();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.Namespace is not { } ns || !IsOurs(ns)) continue;
            string from = layer(ns);
            foreach (var used in UsedTypes(type))
            {
                if (used.Namespace is not { } usedNs || !IsOurs(usedNs)) continue;
                string to = layer(usedNs);
                if (to == from) continue;
                edges.TryAdd((from, to), $"{Outermost(type).FullName} uses {Outermost(used).FullName}");
            }
        }
        return edges;
    }

    /// <summary>The strongly connected components with more than one namespace: each is a cycle (or several).</summary>
    public static List<List<string>> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var nodes = edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        // Tarjan's algorithm; the graph has a few dozen nodes, recursion depth is no concern.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in next.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) components.Add([.. component.Order(StringComparer.Ordinal)]);
        }
        foreach (var v in nodes) if (!index.ContainsKey(v)) Visit(v);
        return components;
    }

    static bool IsOurs(string ns) => ns == "UNetSharp" || ns.StartsWith("UNetSharp.", StringComparison.Ordinal);

    static Type Outermost(Type t)
    {
        while (t.DeclaringType is { } d) t = d;
        return t;
    }

    static IEnumerable<Type> UsedTypes(Type type)
    {
        var found = new List<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericParameter) return;
            found.Add(t);
            if (t.IsGenericType && !t.IsGenericTypeDefinition) foreach (var a in t.GetGenericArguments()) Add(a);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(Declared)) Add(f.FieldType);
        foreach (var p in type.GetProperties(Declared)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var member in BodyMembers(m))
            {
                switch (member)
                {
                    case Type t: Add(t); break;
                    case MethodBase called:
                        Add(called.DeclaringType);
                        if (called is MethodInfo { IsGenericMethod: true } g) foreach (var a in g.GetGenericArguments()) Add(a);
                        break;
                    case FieldInfo field: Add(field.DeclaringType); break;
                }
            }
        }
        return found;
    }

    static readonly Dictionary<short, OpCode> Codes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(c => c.Value);

    /// <summary>The types, methods and fields a method body names (ldtoken, call, newobj, ldfld, castclass, ...).</summary>
    internal static IEnumerable<MemberInfo> BodyMembers(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException) { yield break; }
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il[pos++]));
            var code = Codes[value];
            int size = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            if (code.OperandType is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try { member = method.Module.ResolveMember(BitConverter.ToInt32(il, pos), typeArgs, methodArgs); }
                catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or MissingMemberException) { }
                if (member is not null) yield return member;
            }
            pos += size;
        }
    }
}
