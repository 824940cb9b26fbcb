// agents: batchd with many simulated agents (in this process, over real gRPC), each finishing
// its attempts at once; jobs placed and finished per second, and what batchd spends on it.
#include <fstream>
#include <sstream>

#include "scenarios.h"
#include "simulated_agents.h"

namespace batchd::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string ReadToken(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  if (token.empty()) throw std::runtime_error("no join token in " + file.string());
  return token;
}

}  // namespace

void Agents(BenchDatabase& db, const Args& args, Report& report) {
  for (int count : args.agent_counts) {
    BenchCluster cluster(db.Fresh());
    cluster.CreateUnmanagedQueue("sim", "sim");
    cluster.RegisterDefinition("true", {"/bin/true"});
    const std::string name = "agents." + std::to_string(count);

    const auto connecting = SteadyClock::now();
    SimulatedFleet fleet({.scheduler = cluster.address(),
                          .join_token = ReadToken(cluster.token_file()),
                          .compute_environment = "sim",
                          .agents = count});
    fleet.WaitWelcomed(std::chrono::seconds(300));
    report.Add(name + ".connect_all", Millis(SteadyClock::now() - connecting), "ms");
    const ProcessUsage idle = UsageOf(cluster.batchd_pid());
    report.Add(name + ".batchd_rss_connected", idle.rss_mib, "MiB");

    const auto start = SteadyClock::now();
    MeasureTurnover(cluster, "sim", "true", args.agent_jobs, report, name + ".placements");
    const double seconds = Millis(SteadyClock::now() - start) / 1000;
    const ProcessUsage after = UsageOf(cluster.batchd_pid());
    report.Add(name + ".batchd_cpu", 100 * (after.cpu_seconds - idle.cpu_seconds) / seconds,
               "% of a core");
    report.Add(name + ".batchd_rss", after.rss_mib, "MiB");
    report.Add(name + ".batchd_peak_rss", after.peak_rss_mib, "MiB");
    if (fleet.attempts_finished() < args.agent_jobs) {
      throw std::runtime_error("the simulated agents ran " +
                               std::to_string(fleet.attempts_finished()) + " attempts of " +
                               std::to_string(args.agent_jobs));
    }
  }
}

}  // namespace batchd::bench
