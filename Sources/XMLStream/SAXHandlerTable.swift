import CLibXML2

/// The libxml2 SAX2 callback table: C function pointers that forward to the builder of the
/// `LibXML2StreamParser` passed as the context's user data.
///
/// Everything RFC 6120 §11.1 forbids has a callback that condemns the stream: libxml2 calls
/// `internalSubset` on `<!DOCTYPE` before it reads the subset, so no entity is ever declared,
/// and `getEntity` for every reference that is not one of the five predefined entities, so none
/// is ever resolved. Callbacks left nil are either unused in SAX2 or unreachable without a DTD.
enum SAXHandlerTable {
    static func make() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, localname, _, uri, nbNamespaces, namespaces, nbAttributes, _, attributes in
            guard let localname else { return }
            parser(context).builder.startElement(
                localname: localname, uri: uri,
                namespaces: UnsafeBufferPointer(start: namespaces, count: namespaces == nil ? 0 : Int(nbNamespaces) * 2),
                attributes: UnsafeBufferPointer(start: attributes, count: attributes == nil ? 0 : Int(nbAttributes) * 5))
        }
        handler.endElementNs = { context, _, _, _ in
            parser(context).builder.endElement()
        }
        handler.characters = { context, bytes, length in
            parser(context).builder.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        handler.cdataBlock = { context, bytes, length in
            parser(context).builder.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        // A function distinct from `characters`: libxml2 then reports whitespace runs only after
        // moving past them, which keeps the stanza byte count exact.
        handler.ignorableWhitespace = { context, bytes, length in
            parser(context).builder.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        handler.internalSubset = { context, _, _, _ in parser(context).builder.restricted("a DTD") }
        handler.externalSubset = { context, _, _, _ in parser(context).builder.restricted("a DTD") }
        handler.entityDecl = { context, _, _, _, _, _ in parser(context).builder.restricted("an entity declaration") }
        handler.getEntity = { context, _ in
            parser(context).builder.restricted("an entity reference other than the predefined ones")
            return nil
        }
        handler.getParameterEntity = { context, _ in
            parser(context).builder.restricted("a parameter entity reference")
            return nil
        }
        handler.processingInstruction = { context, _, _ in parser(context).builder.restricted("a processing instruction") }
        handler.comment = { context, _ in parser(context).builder.restricted("a comment") }
        handler.serror = { context, error in
            guard let error else { return }
            parser(context).builder.libxml2Error(
                code: error.pointee.code, isError: error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue,
                message: UnsafePointer(error.pointee.message))
        }
        return handler
    }
}

/// The parser behind a context's user data. It owns the context and frees it in `deinit`, so
/// it outlives every callback and the unretained reference is always valid.
@inline(__always)
private func parser(_ context: UnsafeMutableRawPointer?) -> LibXML2StreamParser {
    Unmanaged<LibXML2StreamParser>.fromOpaque(context!).takeUnretainedValue()
}
