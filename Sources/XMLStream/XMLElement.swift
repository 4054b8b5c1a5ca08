/// One attribute as written: `name` is the qualified name for attributes in a non-default
/// namespace (`xml:lang`, or `x:attr` together with an `xmlns:x` attribute that binds it).
package struct XMLAttribute: Sendable, Hashable {
    package var name: String
    package var value: String

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A child of an element: another element or a run of character data.
package enum XMLNode: Sendable, Hashable {
    case element(XMLElement)
    case text(String)

    /// The element, when this node is one.
    package var element: XMLElement? {
        if case .element(let element) = self { element } else { nil }
    }
}

/// An XML element as a value: what the stream parser produces for every stanza and what
/// session code builds to send.
///
/// `namespace` is the resolved namespace URI. The parser always fills it in (`""` for an element
/// in no namespace). When building, `nil` means "whatever default namespace is in scope where
/// the element is written", and a `nil` child takes the namespace of the parent it is added to,
/// so `XMLElement("query", namespace: "jabber:iq:version") { XMLElement("name") { "kinglet" } }`
/// builds the same tree the parser would produce from its serialization.
package struct XMLElement: Sendable, Hashable {
    /// The local name, without prefix.
    package var name: String
    package var namespace: String?
    /// In document order. Namespace declarations for prefixes (`xmlns:x`) appear here when a
    /// parsed element carried them; the default namespace declaration never does.
    package var attributes: [XMLAttribute]
    package var children: [XMLNode]

    /// An element with attributes from a dynamic list. Adjacent text children are joined and
    /// empty ones dropped.
    package init(_ name: String, namespace: String? = nil, attributes: [XMLAttribute], children: [XMLNode] = []) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = []
        append(contentsOf: children)
    }

    /// An element with attributes written as an ordered literal: `["type": "get", "id": "p1"]`.
    package init(
        _ name: String, namespace: String? = nil, attributes: KeyValuePairs<String, String> = [:],
        children: [XMLNode] = []
    ) {
        self.init(name, namespace: namespace, attributes: attributes.map { XMLAttribute($0.key, $0.value) }, children: children)
    }

    /// An element whose content is built with `XMLContentBuilder`: elements, strings, `if`, `for`.
    package init(
        _ name: String, namespace: String? = nil, attributes: KeyValuePairs<String, String> = [:],
        @XMLContentBuilder content: () -> [XMLNode]
    ) {
        self.init(name, namespace: namespace, attributes: attributes, children: content())
    }

    /// A leaf element holding only text: `XMLElement("body", text: "hello")`.
    package init(_ name: String, namespace: String? = nil, attributes: KeyValuePairs<String, String> = [:], text: String) {
        self.init(name, namespace: namespace, attributes: attributes, children: [.text(text)])
    }

    /// Builds exactly what the parser delivers: no namespace adoption, no text joining.
    init(parsedName name: String, namespace: String, attributes: [XMLAttribute], children: [XMLNode]) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
    }
}

// MARK: - Queries

extension XMLElement {
    /// The value of the attribute with this qualified name (`type`, `xml:lang`).
    package func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The first child element with this name, in this namespace (any namespace when `nil`).
    package func child(_ name: String, namespace: String? = nil) -> XMLElement? {
        for case .element(let element) in children where element.matches(name, namespace) {
            return element
        }
        return nil
    }

    /// Every child element with this name, in this namespace (any namespace when `nil`).
    package func children(_ name: String, namespace: String? = nil) -> [XMLElement] {
        children.compactMap { node in
            if case .element(let element) = node, element.matches(name, namespace) { element } else { nil }
        }
    }

    /// The child elements, without the text between them.
    package var elements: [XMLElement] {
        children.compactMap(\.element)
    }

    /// The direct character data, joined; text inside child elements is not included.
    package var text: String {
        var joined = ""
        for case .text(let text) in children {
            joined += text
        }
        return joined
    }

    private func matches(_ name: String, _ namespace: String?) -> Bool {
        self.name == name && (namespace == nil || self.namespace == namespace)
    }
}

// MARK: - Mutation

extension XMLElement {
    /// Sets an attribute in place, appends it when absent, or removes it when `value` is nil.
    package mutating func setAttribute(_ name: String, _ value: String?) {
        let index = attributes.firstIndex { $0.name == name }
        switch (index, value) {
        case (let i?, let value?): attributes[i].value = value
        case (nil, let value?): attributes.append(XMLAttribute(name, value))
        case (let i?, nil): attributes.remove(at: i)
        case (nil, nil): break
        }
    }

    /// Appends a child element. A child without a namespace takes this element's namespace.
    package mutating func append(_ element: XMLElement) {
        append(contentsOf: [.element(element)])
    }

    /// Appends text, joined to the text child before it if there is one.
    package mutating func append(text: String) {
        append(contentsOf: [.text(text)])
    }

    /// Appends nodes with the same rules as `append(_:)` and `append(text:)`.
    package mutating func append(contentsOf nodes: [XMLNode]) {
        children.reserveCapacity(children.count + nodes.count)
        for node in nodes {
            switch node {
            case .text(let text):
                if text.isEmpty { continue }
                if case .text(let previous)? = children.last {
                    children[children.count - 1] = .text(previous + text)
                } else {
                    children.append(node)
                }
            case .element(var element):
                if element.namespace == nil, let namespace {
                    element.adopt(namespace)
                }
                children.append(.element(element))
            }
        }
    }

    /// Gives this element and its namespace-less descendants `namespace`, as writing it
    /// inside a parent in that namespace would.
    private mutating func adopt(_ namespace: String) {
        self.namespace = namespace
        for i in children.indices {
            guard case .element(var element) = children[i], element.namespace == nil else { continue }
            children[i] = .text("")  // drop the reference so the child is uniquely owned below
            element.adopt(namespace)
            children[i] = .element(element)
        }
    }
}

/// Builds element content from a block: elements, strings (text), optionals, `if` and `for`.
@resultBuilder
package enum XMLContentBuilder {
    package static func buildExpression(_ element: XMLElement) -> [XMLNode] { [.element(element)] }
    package static func buildExpression(_ element: XMLElement?) -> [XMLNode] { element.map { [.element($0)] } ?? [] }
    package static func buildExpression(_ elements: [XMLElement]) -> [XMLNode] { elements.map { .element($0) } }
    package static func buildExpression(_ text: String) -> [XMLNode] { [.text(text)] }
    package static func buildExpression(_ node: XMLNode) -> [XMLNode] { [node] }
    package static func buildBlock(_ parts: [XMLNode]...) -> [XMLNode] { parts.flatMap { $0 } }
    package static func buildOptional(_ part: [XMLNode]?) -> [XMLNode] { part ?? [] }
    package static func buildEither(first part: [XMLNode]) -> [XMLNode] { part }
    package static func buildEither(second part: [XMLNode]) -> [XMLNode] { part }
    package static func buildArray(_ parts: [[XMLNode]]) -> [XMLNode] { parts.flatMap { $0 } }
}
