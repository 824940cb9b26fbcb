// batchctl reclaim node ID: what a provider's interruption hook (or an operator) runs when a
// node's machine is being taken away, e.g. a cloud's spot interruption event.
#include <iostream>
#include <memory>

#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/output.h"

namespace batchd::cli {
namespace {

struct ReclaimOptions {
  std::string node_id;
  std::string reason;
};

}  // namespace

void AddReclaimCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ReclaimOptions>();
  auto* reclaim = app.add_subcommand(
      "reclaim", "Say a node's machine is being taken away: its jobs move elsewhere at once");
  RequireResourceType(reclaim, ctx, "node");
  auto* node = reclaim->add_subcommand(
      "node",
      "Kill the node's attempts and retry them elsewhere without using up an attempt; the "
      "node goes back to its provider");
  node->add_option("NODE_ID", opts->node_id, "The node, as 'batchctl get nodes' lists it")
      ->required();
  node->add_option("--reason", opts->reason,
                   "Why, for the attempts and the events (default: reclaimed by its provider)");
  OnSelected(node, ctx, [&ctx, opts] {
    batch::v1::ReclaimNodeRequest req;
    req.set_node_id(opts->node_id);
    req.set_reason(opts->reason);
    const auto resp = ctx.client().Call(&Client::Stub::ReclaimNode, req);
    if (!PrintedAsData(ctx, resp)) std::cout << "node/" << resp.node().node_id() << " reclaimed\n";
    return kExitOk;
  });
}

}  // namespace batchd::cli
