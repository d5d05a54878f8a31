using System;
using System.IO;
using System.Linq;
using Mono.Cecil;

// Usage: Publicizer <input.dll> <output.dll> [<input.dll> <output.dll> ...]
// Makes every type, method and field public so that code compiled against the copy can call ML.NET's
// internal save/load API (together with [assembly: IgnoresAccessChecksTo] at run time).
if (args.Length == 0 || args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: Publicizer <input.dll> <output.dll> [...]");
    return 2;
}

for (int i = 0; i < args.Length; i += 2)
{
    string input = args[i], output = args[i + 1];
    var resolver = new DefaultAssemblyResolver();
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input)));
    using var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { AssemblyResolver = resolver });
    foreach (var type in assembly.MainModule.GetTypes())
        Publicize(type);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output)));
    string temp = output + ".tmp";
    assembly.Write(temp);
    File.Move(temp, output, overwrite: true);
}
return 0;

static void Publicize(TypeDefinition type)
{
    if (IsCompilerGenerated(type))
        return;
    if (type.IsNested)
        type.IsNestedPublic = true;
    else
        type.IsPublic = true;

    foreach (var method in type.Methods)
    {
        // Explicit interface implementations stay private: public copies would clash by name.
        if (method.HasOverrides || IsCompilerGenerated(method))
            continue;
        method.IsPublic = true;
    }

    // Backing fields of events and auto-properties would clash with the member of the same name.
    var memberNames = type.Events.Select(e => e.Name).Concat(type.Properties.Select(p => p.Name)).ToHashSet();
    foreach (var field in type.Fields)
    {
        if (IsCompilerGenerated(field) || memberNames.Contains(field.Name))
            continue;
        field.IsPublic = true;
    }
}

static bool IsCompilerGenerated(ICustomAttributeProvider member) =>
    member.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.CompilerGeneratedAttribute");
