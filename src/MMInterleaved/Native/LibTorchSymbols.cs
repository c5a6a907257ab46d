using System.Text.RegularExpressions;
using ELFSharp.ELF;
using ELFSharp.ELF.Sections;

namespace MMInterleaved.Native;

/// <summary>
/// The C++ symbols TorchSharp's native bridge takes from libtorch, read from the ELF dynamic symbol tables, and which of
/// them a given libtorch lacks. A libtorch of another version than the bridge was built for (2.10 for TorchSharp 0.107)
/// usually lacks some: an operator's signature changed, so its mangled name did. Loading it anyway would fail only at the
/// first call of a missing function ("symbol lookup error", which ends the process), so <see cref="ExternalLibTorch"/>
/// checks first and refuses with the names.
/// </summary>
public static partial class LibTorchSymbols
{
    // Mangled names in libtorch's namespaces (at::, c10::, torch::, caffe2::): functions and, with a TV/TI/TS prefix,
    // vtables and type info. Measured on the bundled 2.10: these are exactly the bridge's undefined symbols that
    // libtorch.so, libtorch_cpu.so and libc10.so define (1204 of its 1320; the rest come from libc and libstdc++).
    [GeneratedRegex(@"^_Z(T[VIS])?N[KVRO]*(2at|3c10|5torch|6caffe2)")]
    private static partial Regex TorchNamespace();

    /// <summary>The libtorch symbols <paramref name="bridgePath"/> (libLibTorchSharp.so) needs: undefined there and in
    /// libtorch's namespaces.</summary>
    public static IReadOnlySet<string> RequiredBy(string bridgePath) =>
        DynamicSymbols(bridgePath, defined: false).Where(s => TorchNamespace().IsMatch(s)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every symbol the given shared libraries define (export) in their dynamic symbol tables.</summary>
    public static IReadOnlySet<string> DefinedIn(IEnumerable<string> libraryPaths) =>
        libraryPaths.SelectMany(p => DynamicSymbols(p, defined: true)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The symbols of <see cref="RequiredBy"/> that none of <paramref name="libraryPaths"/> defines, sorted.</summary>
    public static IReadOnlyList<string> Missing(string bridgePath, IEnumerable<string> libraryPaths)
    {
        var defined = DefinedIn(libraryPaths);
        return RequiredBy(bridgePath).Where(s => !defined.Contains(s)).Order(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> DynamicSymbols(string path, bool defined)
    {
        if (!ELFReader.TryLoad(path, out IELF? elf))
            throw new InvalidDataException($"{path} is not an ELF shared library.");
        using (elf)
        {
            if (!elf.TryGetSection(".dynsym", out var section) || section is not ISymbolTable table)
                throw new InvalidDataException($"{path} has no dynamic symbol table (.dynsym).");
            var names = new List<string>();
            foreach (var symbol in table.Entries)
            {
                if (symbol.Name.Length == 0 || symbol.Binding == SymbolBinding.Local) continue;
                bool undefined = symbol.PointedSectionIndex == 0; // SHN_UNDEF
                // weak undefined references are optional for the dynamic linker: they never fail a load
                if (defined ? !undefined : undefined && symbol.Binding != SymbolBinding.Weak) names.Add(symbol.Name);
            }
            return names;
        }
    }
}
