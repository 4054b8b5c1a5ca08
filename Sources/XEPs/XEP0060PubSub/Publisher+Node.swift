import Session
import XMLStream
import XMPPCore

/// Getting the node ready at the start of each new session (not after a resumption).
extension Publisher {
    /// Asks the service whether it checks publish-options (and, for PEP, whether the account
    /// has PEP at all: without it nothing is sent on this stream). Then, where publish-options
    /// cannot do the work (the service lacks them, or the whitelist must be set), creates the
    /// node or makes its configuration ours, and sets the whitelist. A whitelist that cannot be
    /// shown to be in force stops publishing (fail closed). Otherwise publishing starts, whatever
    /// the outcome: a problem left here shows up as a publish error and is handled there.
    func prepareNode(epoch current: Int) async {
        let info = await discoverService()
        guard current == flow.epoch else { return }
        let disco = info?.child("query", namespace: DiscoInfo.namespace).flatMap(DiscoInfo.init)
        if configuration.target == .pep, let disco, !disco.offersPEP {
            await perform(flow.accountLacksPEP(configuration.account))
            return
        }
        let features = info.map(PubSubXML.features(in:)) ?? []
        flow.usesPublishOptions = features.contains(PubSubXML.publishOptionsFeature) && !flow.publishOptionsRefused
        if !flow.usesPublishOptions, !flow.publishOptionsRefused {
            log.info("\(serviceName) does not support publish-options: configuring node '\(configuration.node)' directly")
        }
        let whitelist = configuration.nodeConfiguration.accessModel == .whitelist
        if !flow.usesPublishOptions || whitelist {
            if !(await createNode()) { _ = await configureNode(reason: "it already exists") }
        }
        if whitelist, let problem = await updateWhitelist() {
            guard current == flow.epoch else { return }
            await perform(flow.nodeSetupFailed(problem))
            return
        }
        guard current == flow.epoch else { return }
        flow.nodeReady = true
        await pump()
    }

    /// The service advertises publish-options but refused a publish that carried them, not as
    /// a precondition: ejabberd 23.01 answers `resource-constraint` ("Unknown field
    /// 'pubsub#max_items'"), as it knows only `persist_items` and `access_model` there. Unknown
    /// fields may be refused (XEP-0060 §7.1.5), so do what a service without them needs:
    /// configure the node as its owner and publish without options, from now on.
    func stopUsingPublishOptions(after error: StanzaError) async {
        log.warning("\(serviceName) refused our publish-options (\(error)): configuring node '\(configuration.node)' directly and publishing without them")
        flow.usesPublishOptions = false
        flow.publishOptionsRefused = true
        if !(await createNode()) { _ = await configureNode(reason: "publish-options were refused") }
    }

    /// The service's disco#info result; nil when it does not answer.
    private func discoverService() async -> XMLElement? {
        switch await transport.request(PubSubXML.discoInfoQuery(service: configuration.service), timeout: configuration.requestTimeout) {
        case .success(let result):
            return result
        case .failure(let error):
            log.warning("cannot discover the features of \(serviceName): \(error)")
            return nil
        }
    }

    /// Creates the node with our configuration. True when it was created.
    func createNode() async -> Bool {
        let create = PubSubXML.create(node: configuration.node, service: configuration.service, configuration: configuration.nodeConfiguration)
        switch await transport.request(create, timeout: configuration.requestTimeout) {
        case .success:
            log.info("created node '\(configuration.node)' (\(settingsText))")
            return true
        case .failure(.error(let error)) where error.condition == .conflict:
            return false  // it exists; the caller configures it
        case .failure(let error):
            log.warning("cannot create node '\(configuration.node)': \(error)")
            return false
        }
    }

    /// Sets the node's configuration to ours as its owner. True on success.
    func configureNode(reason: String) async -> Bool {
        let configure = PubSubXML.configure(node: configuration.node, service: configuration.service, configuration: configuration.nodeConfiguration)
        switch await transport.request(configure, timeout: configuration.requestTimeout) {
        case .success:
            log.info("configured node '\(configuration.node)' (\(settingsText)): \(reason)")
            return true
        case .failure(let error):
            log.warning("cannot configure node '\(configuration.node)': \(error)")
            return false
        }
    }

    /// Makes the `member` affiliations exactly the operators' bare JIDs (domains cannot be
    /// whitelisted, and are left out with a warning). Returns why not when the affiliations
    /// cannot be read or set: a service that takes `whitelist` but cannot show who is on it
    /// may let anyone subscribe (Apache Vysper did), so the readings must not go there.
    private func updateWhitelist() async -> String? {
        let node = configuration.node
        let service = configuration.service
        let wanted = Set(configuration.whitelist.filter { $0.local != nil }.map { $0.bare.description })
        let domains = configuration.whitelist.filter { $0.local == nil }
        if !domains.isEmpty {
            log.warning("access_model whitelist lists accounts only; operators given as domains are not on it: \(domains.map(\.description).joined(separator: ", "))")
        }
        let result: XMLElement
        switch await transport.request(PubSubXML.affiliations(node: node, service: service), timeout: configuration.requestTimeout) {
        case .success(let answer): result = answer
        case .failure(let error): return "cannot read the affiliations of node '\(node)' (\(error)): nothing is published to a whitelist that cannot be shown to be in force"
        }
        let current = PubSubXML.affiliations(in: result)
        let members = Set(current.filter { $0.affiliation == "member" }.map(\.jid))
        var changes = wanted.subtracting(members).sorted().map { (jid: $0, affiliation: "member") }
        changes += members.subtracting(wanted).sorted().map { (jid: $0, affiliation: "none") }
        guard !changes.isEmpty else { return nil }
        switch await transport.request(PubSubXML.setAffiliations(node: node, service: service, changes), timeout: configuration.requestTimeout) {
        case .success:
            log.info("whitelist of node '\(node)': \(wanted.sorted().joined(separator: ", "))")
            return nil
        case .failure(let error):
            return "cannot set the whitelist of node '\(node)' (\(error)): nothing is published to a whitelist that is not ours"
        }
    }

    private var serviceName: String {
        configuration.target.address?.description ?? "the account's PEP service"
    }

    private var settingsText: String {
        let node = configuration.nodeConfiguration
        return "persist_items=\(node.persistItems), max_items=\(node.maxItems), access_model=\(node.accessModel.rawValue)"
    }
}
