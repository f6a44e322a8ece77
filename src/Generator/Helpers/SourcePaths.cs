using System;
using System.Collections.Generic;

namespace KDsl.Generator.Helpers
{
    /// <summary>
    /// The path the generated code records for a .kdsl file (<c>SourcePath</c>, <c>ModuleImage.SourcePath</c>, the
    /// failure report): relative to the project directory MSBuild gives the compiler (<c>build_property.ProjectDir</c>),
    /// with '/' separators, so the generated code and the test assembly hold no path of the machine that built them and
    /// are the same bytes on every machine. Only the #line directives keep the full path: a debugger and an IDE open the
    /// file from the stack trace with it (and the compiler's PathMap applies to it, as to every source path).
    /// </summary>
    internal static class SourcePaths
    {
        /// <summary>
        /// <paramref name="path"/> relative to <paramref name="projectDir"/> ("step5.kdsl", "lab/a.kdsl", "../step5.kdsl");
        /// the path as given when there is no project directory, when the path is not rooted, or when the two share no
        /// root (another drive).
        /// </summary>
        public static string Relative(string path, string? projectDir)
        {
            if (string.IsNullOrWhiteSpace(projectDir) || !IsRooted(path)) return path;
            var target = Split(path);
            var from = Split(projectDir!.Trim());
            if (target.Count == 0 || from.Count == 0) return path;
            bool drives = target[0].EndsWith(":", StringComparison.Ordinal) || from[0].EndsWith(":", StringComparison.Ordinal);
            if (drives && !SameSegment(target[0], from[0])) return path;
            int common = 0;
            while (common < from.Count && common < target.Count - 1 && SameSegment(from[common], target[common])) common++;
            var parts = new List<string>();
            for (int i = common; i < from.Count; i++) parts.Add("..");
            for (int i = common; i < target.Count; i++) parts.Add(target[i]);
            return string.Join("/", parts);
        }

        private static bool IsRooted(string path) =>
            path.StartsWith("/", StringComparison.Ordinal) || path.StartsWith("\\", StringComparison.Ordinal) ||
            (path.Length >= 2 && path[1] == ':' && char.IsLetter(path[0]));

        /// <summary>The path's segments, "." dropped and ".." applied; a Windows drive ("C:") is the first segment.</summary>
        private static List<string> Split(string path)
        {
            var segments = new List<string>();
            foreach (string s in path.Split('/', '\\'))
            {
                if (s.Length == 0 || s == ".") continue;
                if (s == ".." && segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                else segments.Add(s);
            }
            return segments;
        }

        // Windows paths compare without case (drive letters and folders alike); elsewhere a path's case is its own.
        private static bool SameSegment(string a, string b) =>
            string.Equals(a, b, System.IO.Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }
}
