// Compiled twice: as an MSBuild inline task (RoslynCodeTaskFactory, see LibTorchSharpCompat.targets) and
// into the test project (UNETSHARP_TESTS defined) so that the ELF logic is unit tested on the real library.
// Keep it to netstandard2.0 APIs: the inline task compiler references only those.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace UNetSharp.Build
{
    /// <summary>One entry of an ELF .gnu.version_r section: a symbol version a library needs from another.</summary>
    public sealed class VersionNeed
    {
        public string File = "";
        public string Version = "";
        public int Index;
        public bool Weak;
        /// <summary>Byte offset of the entry's vna_flags field in the file.</summary>
        public long FlagsOffset;
        /// <summary>Dynamic symbols bound to this version.</summary>
        public List<string> Symbols = new List<string>();
        /// <summary>True when some dynamic relocation refers to one of <see cref="Symbols"/>.</summary>
        public bool UsedByRelocation;
    }

    /// <summary>
    /// Reads the version needs of an ELF64 little-endian shared library and marks unused missing ones weak.
    /// Why: TorchSharp 0.107's libLibTorchSharp.so asks libstdc++ for GLIBCXX_3.4.32 (GCC 13) only for
    /// std::ios_base_library_init(), a symbol no relocation uses. glibc refuses to load a library whose
    /// needed version is missing unless the need is flagged VER_FLG_WEAK, so GCC 12 systems (Debian 12,
    /// Ubuntu 22.04) fail with "version GLIBCXX_3.4.32 not found". Flagging that one entry weak is safe
    /// exactly because nothing binds to the symbol; any other missing version is reported, never hidden.
    /// </summary>
    public static class ElfVersionNeeds
    {
        public const ushort VerFlagWeak = 0x2;
        const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11, ShtVerdef = 0x6ffffffd, ShtVerneed = 0x6ffffffe, ShtVersym = 0x6fffffff;

        sealed class Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public int Link;
            public long EntrySize;
        }

        /// <summary>All version needs of the library, with the symbols bound to each.</summary>
        public static List<VersionNeed> ReadNeeds(byte[] elf, string fileName)
        {
            var sections = ReadSections(elf, fileName);
            var verneed = sections.FirstOrDefault(s => s.Type == ShtVerneed);
            var needs = new List<VersionNeed>();
            if (verneed == null) return needs;
            var strtab = sections[verneed.Link];
            long entry = verneed.Offset;
            while (true)
            {
                ushort count = U16(elf, entry + 2, fileName);
                string file = Str(elf, strtab, U32(elf, entry + 4, fileName), fileName);
                long aux = entry + U32(elf, entry + 8, fileName);
                for (int i = 0; i < count; i++)
                {
                    needs.Add(new VersionNeed
                    {
                        File = file,
                        Version = Str(elf, strtab, U32(elf, aux + 8, fileName), fileName),
                        Index = U16(elf, aux + 6, fileName) & 0x7fff,
                        Weak = (U16(elf, aux + 4, fileName) & VerFlagWeak) != 0,
                        FlagsOffset = aux + 4,
                    });
                    uint nextAux = U32(elf, aux + 12, fileName);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, entry + 12, fileName);
                if (next == 0) break;
                entry += next;
            }
            BindSymbols(elf, fileName, sections, needs);
            return needs;
        }

        /// <summary>The version names a library defines (.gnu.version_d), e.g. GLIBCXX_3.4.30 for libstdc++.</summary>
        public static HashSet<string> ReadDefinitions(byte[] elf, string fileName)
        {
            var sections = ReadSections(elf, fileName);
            var verdef = sections.FirstOrDefault(s => s.Type == ShtVerdef);
            var names = new HashSet<string>(StringComparer.Ordinal);
            if (verdef == null) return names;
            var strtab = sections[verdef.Link];
            long entry = verdef.Offset;
            while (true)
            {
                long aux = entry + U32(elf, entry + 12, fileName);
                names.Add(Str(elf, strtab, U32(elf, aux, fileName), fileName));
                uint next = U32(elf, entry + 16, fileName);
                if (next == 0) break;
                entry += next;
            }
            return names;
        }

        /// <summary>The system libstdc++.so.6 the dynamic loader would pick from the standard directories, or null.</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] dirs =
            {
                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            return dirs.Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
        }

        /// <summary>
        /// Marks weak every libstdc++ version need of <paramref name="libraryPath"/> that <paramref name="available"/>
        /// lacks (all of them when <paramref name="available"/> is null), provided no relocation uses its symbols.
        /// Writes through a temporary file and a rename. Returns a one-line description of what it did.
        /// Throws InvalidDataException when a missing version is really used: weakening would then crash later.
        /// </summary>
        public static string WeakenMissing(string libraryPath, ISet<string>? available)
        {
            byte[] elf = File.ReadAllBytes(libraryPath);
            string name = Path.GetFileName(libraryPath);
            var missing = ReadNeeds(elf, libraryPath)
                .Where(n => n.File.StartsWith("libstdc++", StringComparison.Ordinal) && !n.Weak)
                .Where(n => available == null || !available.Contains(n.Version))
                .ToList();
            if (available == null) missing = missing.Where(n => !n.UsedByRelocation && n.Symbols.Count > 0).ToList();
            if (missing.Count == 0) return name + ": nothing to do";
            var used = missing.Where(n => n.UsedByRelocation).ToList();
            if (used.Count > 0)
                throw new InvalidDataException(libraryPath + ": needs " + string.Join(", ", used.Select(n => n.Version)) +
                    " (symbols " + string.Join(", ", used.SelectMany(n => n.Symbols)) +
                    ") from a newer libstdc++ than this system has; install libstdc++6 from GCC 13 or later");
            foreach (var need in missing)
            {
                ushort flags = (ushort)(U16(elf, need.FlagsOffset, libraryPath) | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
            }
            string temp = libraryPath + ".weaken.tmp";
            File.WriteAllBytes(temp, elf);
            File.Replace(temp, libraryPath, null);
            return name + ": marked weak " + string.Join(", ", missing.Select(n => n.Version + " (" + string.Join(", ", n.Symbols) + ")"));
        }

        static void BindSymbols(byte[] elf, string fileName, List<Section> sections, List<VersionNeed> needs)
        {
            int dynsymIndex = sections.FindIndex(s => s.Type == ShtDynsym);
            var versym = sections.FirstOrDefault(s => s.Type == ShtVersym);
            if (dynsymIndex < 0 || versym == null) return;
            var dynsym = sections[dynsymIndex];
            var dynstr = sections[dynsym.Link];
            long symbolCount = dynsym.Size / 24;
            var byIndex = needs.GroupBy(n => n.Index).ToDictionary(g => g.Key, g => g.First());
            var symbolNeed = new Dictionary<long, VersionNeed>();
            for (long s = 0; s < symbolCount; s++)
            {
                int version = U16(elf, versym.Offset + 2 * s, fileName) & 0x7fff;
                if (!byIndex.TryGetValue(version, out var need)) continue;
                need.Symbols.Add(Str(elf, dynstr, U32(elf, dynsym.Offset + 24 * s, fileName), fileName));
                symbolNeed[s] = need;
            }
            foreach (var rel in sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsymIndex))
            {
                long entrySize = rel.EntrySize != 0 ? rel.EntrySize : (rel.Type == ShtRela ? 24 : 16);
                for (long r = rel.Offset; r + entrySize <= rel.Offset + rel.Size; r += entrySize)
                {
                    long symbol = (long)(U64(elf, r + 8, fileName) >> 32);
                    if (symbolNeed.TryGetValue(symbol, out var need)) need.UsedByRelocation = true;
                }
            }
        }

        static List<Section> ReadSections(byte[] elf, string fileName)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException(fileName + ": not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException(fileName + ": only 64-bit little-endian ELF is supported");
            long shoff = (long)U64(elf, 0x28, fileName);
            int shentsize = U16(elf, 0x3A, fileName), shnum = U16(elf, 0x3C, fileName), shstrndx = U16(elf, 0x3E, fileName);
            if (shentsize != 64 || shstrndx >= shnum) throw new InvalidDataException(fileName + ": malformed ELF section table");
            var sections = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                var section = new Section
                {
                    Type = U32(elf, h + 4, fileName),
                    Offset = (long)U64(elf, h + 24, fileName),
                    Size = (long)U64(elf, h + 32, fileName),
                    Link = (int)U32(elf, h + 40, fileName),
                    EntrySize = (long)U64(elf, h + 56, fileName),
                };
                if (section.Offset < 0 || section.Size < 0 || (section.Type != 8 && section.Offset + section.Size > elf.Length) || section.Link >= shnum)
                    throw new InvalidDataException(fileName + ": ELF section " + i + " lies outside the file");
                sections.Add(section);
            }
            return sections;
        }

        static string Str(byte[] elf, Section strtab, uint offset, string fileName)
        {
            long start = strtab.Offset + offset;
            long end = start;
            while (end < strtab.Offset + strtab.Size && elf[end] != 0) end++;
            if (end >= strtab.Offset + strtab.Size) throw new InvalidDataException(fileName + ": ELF string outside its table");
            return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
        }

        static ushort U16(byte[] b, long o, string f) { Check(b, o, 2, f); return (ushort)(b[o] | b[o + 1] << 8); }
        static uint U32(byte[] b, long o, string f) { Check(b, o, 4, f); return (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24); }
        static ulong U64(byte[] b, long o, string f) => U32(b, o, f) | (ulong)U32(b, o + 4, f) << 32;

        static void Check(byte[] b, long offset, int size, string fileName)
        {
            if (offset < 0 || offset + size > b.Length) throw new InvalidDataException(fileName + ": truncated ELF file");
        }
    }

#if !UNETSHARP_TESTS
    /// <summary>
    /// MSBuild task: weakens the unused, missing libstdc++ version needs of the given libraries.
    /// ForPortablePackage=true ignores this machine's libstdc++ (a published tool runs elsewhere) and
    /// weakens every unused libstdc++ need; harmless where the version exists.
    /// </summary>
    public class WeakenMissingLibStdCxxVersions : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        public bool ForPortablePackage { get; set; }

        public override bool Execute()
        {
            ISet<string>? available = null;
            if (!ForPortablePackage)
            {
                string? system = ElfVersionNeeds.FindSystemLibStdCxx();
                if (system == null)
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        "UNetSharp: no system libstdc++.so.6 found; libLibTorchSharp.so left as shipped");
                    return true;
                }
                available = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(system), system);
            }
            foreach (var item in Libraries)
            {
                try
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "UNetSharp: " + ElfVersionNeeds.WeakenMissing(item.ItemSpec, available));
                }
                catch (InvalidDataException e)
                {
                    Log.LogError("UNetSharp: " + e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
