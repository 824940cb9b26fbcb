#include "server/server.h"

#include <grpcpp/grpcpp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "config/log_level.h"
#include "core/clock.h"
#include "dispatch/dispatcher.h"
#include "dispatch/provisioner.h"
#include "providers/provider_factory.h"
#include "server/data_dir.h"
#include "server/join_tokens.h"
#include "server/options.h"
#include "server/redact.h"
#include "server/signals.h"
#include "service/agent_service.h"
#include "service/batch_service.h"
#include "service/control_plane.h"
#include "service/schedule_runner.h"
#include "service/states_handlers.h"
#include "service/states_service.h"
#include "store/embedded_postgres.h"
#include "store/store.h"
#include "store/workflow_store.h"
#include "workflows/engine.h"

namespace batchd::server {
namespace {

namespace fs = std::filesystem;

constexpr auto kShutdownGrace = std::chrono::seconds(10);
// gRPC refuses requests over 4 MiB by default; a workflow request may carry an execution
// input or task output of up to kMaxStatesPayloadBytes, plus the message around it.
constexpr int kMaxRequestBytes = static_cast<int>(service::kMaxStatesPayloadBytes) + (1 << 20);
// How often the main thread, between signals, checks that the embedded server still runs.
constexpr auto kHealthInterval = std::chrono::seconds(1);

void SetUpLogging() {
  auto logger = spdlog::stderr_color_mt("batchd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %v");
  spdlog::set_default_logger(logger);
}

// "0.0.0.0:0" + 43121 -> "0.0.0.0:43121"
std::string ServedAddress(const std::string& listen, int port) {
  return listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
}

std::unique_ptr<grpc::Server> StartGrpc(const std::string& listen,
                                        const std::vector<grpc::Service*>& services, int* port) {
  grpc::ServerBuilder builder;
  // Without this, gRPC sets SO_REUSEPORT and a second batchd on our port would "succeed".
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), port);
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  // The sync server ends a handler thread whenever more than MAX_POLLERS threads wait for
  // calls, and starts one when none does: with many concurrent clients (2 by default) that
  // is a thread created and destroyed for most calls. Idle threads cost only their stacks.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || *port == 0) {
    throw std::runtime_error("cannot listen on " + listen +
                             " (address in use, or not an address of this machine)");
  }
  return server;
}

dispatch::DispatchOptions DispatchOptionsOf(const config::BatchdConfig& config) {
  dispatch::DispatchOptions options;
  options.node_lease_seconds = config.node_lease_seconds;
  options.heartbeat_seconds = config.heartbeat_seconds;
  options.fail_unplaceable_jobs = config.unplaceable_jobs == "fail";
  options.settings.kill_grace_seconds = config.kill_grace_seconds;
  options.settings.log_limit_bytes = config.log_limit_bytes;
  options.settings.max_infrastructure_retries = config.max_infrastructure_retries;
  return options;
}

}  // namespace

int Serve(const config::BatchdConfig& config, ShutdownSignals& signals) {
  try {
    DataDirLock lock(config.data_dir);
    std::optional<store::EmbeddedPostgres> embedded;
    std::string database_url = config.database_url;
    if (database_url.empty()) {
      spdlog::debug("starting embedded PostgreSQL in {}", (config.data_dir / "postgres").string());
      embedded.emplace(store::EmbeddedPostgresOptions{.dir = config.data_dir / "postgres"});
      database_url = embedded->url();
      spdlog::info("database: {}", embedded->Describe());
    } else {
      spdlog::info("database: {}", RedactDatabaseUrl(database_url));
    }

    store::Store store(database_url);
    core::SystemClock clock;
    dispatch::Dispatcher dispatcher(store, clock, DispatchOptionsOf(config));
    api::Limits limits;
    limits.max_array_size = config.max_array_size;
    limits.max_depends_on = config.max_depends_on;
    service::ControlPlane plane(store, clock, limits);
    plane.SetSchedulerHooks(&dispatcher);
    // The workflow engine exists before the job loop starts, so that the end of a job a
    // workflow step waits on is reported to it from the first turn.
    store::WorkflowStore workflows(store.pool());
    workflows::WorkflowEngine engine(store, workflows, plane, clock);
    dispatcher.SetJobEndListener([&engine](const std::string& job_id) { engine.JobEnded(job_id); });
    // However this scope ends, the job loop stops before the engine it reports to goes away.
    struct StopJobLoopBeforeEngine {
      dispatch::Dispatcher& dispatcher;
      ~StopJobLoopBeforeEngine() { dispatcher.Stop(); }
    } stop_job_loop_before_engine{dispatcher};
    dispatcher.Start();
    engine.Start();
    service::ScheduleRunner schedules(store, clock, plane);
    plane.SetScheduleRunner(&schedules);
    plane.SetWorkflowStore(&workflows);
    schedules.SetWorkflowHooks(&engine);
    schedules.SetWorkflowStore(&workflows);
    schedules.Start();
    service::BatchServiceImpl batch_service(plane);
    service::StatesHandlers states_handlers(workflows, &engine, clock);
    service::StatesServiceImpl states_service(states_handlers);
    const std::vector<std::string> tokens = LoadJoinTokens(config);
    service::AgentServiceImpl agent_service(dispatcher, tokens);

    int port = 0;
    std::unique_ptr<grpc::Server> grpc_server =
        StartGrpc(config.listen, {&batch_service, &agent_service, &states_service}, &port);
    const std::string address = ServedAddress(config.listen, port);
    // Logged first: whoever waits for the address file then finds the line in the log too.
    spdlog::info("listening on {}", address);
    WriteAddressFile(config.data_dir, address);

    // Managed compute environments scale once agents can reach this address.
    const providers::LocalProviderOptions local{
        .agent_binary = providers::DefaultAgentBinary(),
        .scheduler_address = address,
        .token_file = LocalAgentTokenFile(config.data_dir, tokens.front()),
        .nodes_dir = config.data_dir / "nodes",
    };
    dispatch::Provisioner provisioner(providers::MakeProviderFactory(
        std::make_shared<providers::LocalProvider>(local), local, config.data_dir / "exec"));
    // However this scope ends, the loop stops before the provisioner it calls goes away.
    struct StopLoopFirst {
      dispatch::Dispatcher& dispatcher;
      ~StopLoopFirst() { dispatcher.Stop(); }
    } stop_loop_first{dispatcher};
    dispatcher.SetProvisioner(&provisioner);

    int exit_code = 0;
    for (;;) {
      if (int sig = signals.Wait(kHealthInterval); sig != 0) {
        spdlog::info("received {}, shutting down", SignalName(sig));
        break;
      }
      if (embedded && !embedded->Running()) {
        spdlog::error("embedded PostgreSQL exited unexpectedly; its log: {}",
                      (config.data_dir / "postgres" / "postgres.log").string());
        exit_code = 1;
        break;
      }
    }
    agent_service.CloseAll();
    engine.ClosePolls();
    grpc_server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
    grpc_server->Wait();
    spdlog::debug("API stopped; stopping the workflow engine and the scheduler");
    // Schedules first: a run waits on the engine to start its execution, and a stopped engine
    // never answers. Then the engine: its steps submit and terminate jobs through the job loop.
    schedules.Stop();
    engine.Stop();
    dispatcher.Stop();
    spdlog::debug("scheduler stopped");
    std::error_code ec;
    fs::remove(AddressFile(config.data_dir), ec);
    // Leaving the scope closes the store before the embedded server stops.
    spdlog::info("stopped");
    return exit_code;
  } catch (const std::exception& e) {
    spdlog::error("batchd cannot run: {}", e.what());
    return 1;
  }
}

int RunBatchd(int argc, char** argv) {
  ShutdownSignals signals;  // before any thread starts, so that all of them block the signals
  ParsedCommandLine parsed = ParseCommandLine(argc, argv);
  if (parsed.exit_code) {
    std::fputs(parsed.message.c_str(), *parsed.exit_code == 0 ? stdout : stderr);
    return *parsed.exit_code;
  }
  SetUpLogging();
  config::BatchdConfig config;
  try {
    config = ResolveConfig(parsed.flags);
  } catch (const std::exception& e) {
    spdlog::error("batchd cannot start: {}", e.what());
    return 1;
  }
  spdlog::set_level(config::SpdlogLevel(config.log_level));
  return Serve(config, signals);
}

}  // namespace batchd::server
