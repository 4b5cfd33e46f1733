using System.Diagnostics;
using System.Text.Json;
using Weft.Agent.Cli;
using Weft.Tests.Shared;

namespace Weft.Deploy.Tests;

/// <summary>daemonset/Dockerfile: its stages, what they copy, what they run, and the command line it starts.</summary>
public class DockerfileTests
{
    private static readonly IReadOnlyList<(string Keyword, string Args)> Instructions = Read(Path.Combine(Deploy.Directory, "Dockerfile"));

    [Fact]
    public void Three_debian_stages_bpf_object_native_agent_and_a_runtime_without_dotnet()
    {
        // The native agent links against glibc: it is built on the Debian release it runs on.
        var froms = Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Args).ToList();
        Assert.Equal(new[] { "debian:12 AS bpf", "debian:12 AS agent", "debian:12-slim" }, froms);
        Assert.Contains(Instructions, i => i.Keyword == "RUN" && i.Args.Contains("install -y --no-install-recommends libbpf1 libssl3 ", StringComparison.Ordinal));

        // The SDK goes into the build stage only; the final stage copies the one binary, no runtime.
        var finalStage = Instructions.SkipWhile(i => i != ("FROM", "debian:12-slim")).ToList();
        Assert.DoesNotContain(finalStage, i => i.Args.Contains("mcr.microsoft.com/dotnet", StringComparison.Ordinal) || i.Args.Contains("DOTNET_ROOT", StringComparison.Ordinal));
        Assert.Contains(Instructions, i => i == ("COPY", "--from=mcr.microsoft.com/dotnet/sdk:10.0 /usr/share/dotnet /usr/share/dotnet"));
    }

    [Fact]
    public void The_build_stages_run_the_makefiles_own_targets_and_no_compiler_of_their_own()
    {
        var runs = Instructions.Where(i => i.Keyword == "RUN").Select(i => i.Args).ToList();
        Assert.Contains("make bpf-object", runs);
        Assert.Contains("make agent-publish", runs);
        var commands = runs.SelectMany(r => r.Split(["&&", ";"], StringSplitOptions.TrimEntries)).ToList();
        Assert.DoesNotContain(commands, c => c.StartsWith("clang ", StringComparison.Ordinal) || c.StartsWith("dotnet ", StringComparison.Ordinal));
    }

    [Fact]
    public void Those_targets_run_exactly_the_commands_of_make_build()
    {
        // make -n prints the commands without running them: the image's stages and `make build` compile alike.
        var build = DryRun("build");
        var clang = Assert.Single(DryRun("bpf-object"), l => l.StartsWith("clang ", StringComparison.Ordinal));
        Assert.Contains(clang, build);
        var publish = Assert.Single(DryRun("agent-publish"), l => l.StartsWith("dotnet publish ", StringComparison.Ordinal));
        Assert.Contains(publish, build);
        Assert.Contains("agent/Weft.Agent/Weft.Agent.csproj", publish, StringComparison.Ordinal);

        // The flags are the Makefile's BPF_CFLAGS, whatever the architecture expands them to.
        var cflags = File.ReadLines(Path.Combine(RepoPaths.Root, "Makefile")).Single(l => l.StartsWith("BPF_CFLAGS :=", StringComparison.Ordinal));
        Assert.Equal("BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -I/usr/include/$(MULTIARCH)", cflags);
        Assert.StartsWith("clang -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_", clang, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_copied_source_exists_in_the_repository_and_passes_the_dockerignore()
    {
        var ignore = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", ignore[0]);
        var included = ignore.Where(l => l.StartsWith('!')).Select(l => l[1..].TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
        var copies = Instructions.Where(i => i.Keyword == "COPY" && !i.Args.StartsWith("--from", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (var (_, args) in copies)
        {
            var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[..^1])
            {
                var path = source.TrimEnd('/');
                Assert.True(File.Exists(Path.Combine(RepoPaths.Root, path)) || System.IO.Directory.Exists(Path.Combine(RepoPaths.Root, path)), $"COPY {source}: not in the repository");
                Assert.Contains(path, included);
            }
        }
    }

    [Fact]
    public void The_agent_target_builds_the_native_binary_the_image_ships()
    {
        // `make agent-publish` only names the project: that the result is one native file comes from the project.
        var project = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "agent", "Weft.Agent", "Weft.Agent.csproj"));
        Assert.Equal("true", project.Descendants("PublishAot").Single().Value);
    }

    [Fact]
    public void The_final_stage_puts_the_bpf_object_beside_the_agent_where_it_looks_by_default()
    {
        Assert.Contains(("COPY", "--from=agent /src/out/agent/weft /opt/weft/weft"), Instructions);
        Assert.Contains(("COPY", "--from=bpf /src/out/bpf/weft.bpf.o /opt/weft/weft.bpf.o"), Instructions);
        Assert.Equal("/opt/weft/weft", Entrypoint()[0]);

        // The agent's default --bpf-object is weft.bpf.o beside its binary; the binary is the Weft.Agent assembly.
        Assert.Equal("weft", typeof(CommandLine).Assembly.GetName().Name);
        Assert.Equal("weft.bpf.o", Path.GetFileName(new AgentOptions { ConfigPath = "" }.BpfObjectPath));
    }

    [Fact]
    public void The_entrypoint_starts_the_agent_in_kubernetes_mode_and_its_options_parse()
    {
        Assert.Equal(new[] { "/opt/weft/weft", "agent", "--kubernetes" }, Entrypoint());
        var options = ParseCommandLine();
        Assert.True(options.Kubernetes);
        Assert.Equal("node-1", options.NodeName);
        Assert.Null(options.KubeconfigPath); // in-cluster: the pod's service account
        Assert.Equal("/etc/weft/config.yaml", options.ConfigPath);
        Assert.Equal("json", options.LogFormat);
        Assert.Equal(TimeSpan.FromSeconds(20), options.DrainTimeout);
    }

    /// <summary>
    /// `weft agent` options as the container gets them: the ENTRYPOINT's after `agent`, then the
    /// DaemonSet's args, through the agent's own parser, with NODE_NAME set as the downward API sets it.
    /// </summary>
    internal static AgentOptions ParseCommandLine()
    {
        string[] line = [.. Entrypoint().Skip(2), .. Deploy.Agent.Args];
        return CommandLine.ParseAgent(line, nodeFromEnvironment: "node-1");
    }

    private static string[] Entrypoint()
    {
        var (_, args) = Assert.Single(Instructions, i => i.Keyword == "ENTRYPOINT");
        return JsonSerializer.Deserialize<string[]>(args)!;
    }

    private static List<string> DryRun(string target)
    {
        var start = new ProcessStartInfo("make", ["-n", "-B", "--no-print-directory", target])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var make = Process.Start(start)!;
        var output = make.StandardOutput.ReadToEnd();
        make.StandardError.ReadToEnd();
        make.WaitForExit();
        Assert.Equal(0, make.ExitCode);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Instructions with continuation lines joined and comments dropped: (KEYWORD, arguments).</summary>
    private static List<(string Keyword, string Args)> Read(string path)
    {
        var result = new List<(string, string)>();
        var current = "";
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1].Trim() + " ";
                continue;
            }

            current += line;
            if (current.Length > 0)
            {
                var space = current.IndexOf(' ', StringComparison.Ordinal);
                result.Add((current[..space].ToUpperInvariant(), System.Text.RegularExpressions.Regex.Replace(current[(space + 1)..].Trim(), @"\s+", " ")));
            }

            current = "";
        }

        return result;
    }
}
