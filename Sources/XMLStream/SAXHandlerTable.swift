import CLibXML2

/// The libxml2 SAX2 callback table: C function pointers that forward to the `SAXReceiver`
/// passed as the context's user data.
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
            receiver(context).startElement(
                localname: localname, uri: uri,
                namespaces: UnsafeBufferPointer(start: namespaces, count: namespaces == nil ? 0 : Int(nbNamespaces) * 2),
                attributes: UnsafeBufferPointer(start: attributes, count: attributes == nil ? 0 : Int(nbAttributes) * 5))
        }
        handler.endElementNs = { context, _, _, _ in
            receiver(context).endElement()
        }
        handler.characters = { context, bytes, length in
            receiver(context).characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        handler.cdataBlock = { context, bytes, length in
            receiver(context).characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        // A function distinct from `characters`: libxml2 then reports whitespace runs only after
        // moving past them, which keeps the stanza byte count exact.
        handler.ignorableWhitespace = { context, bytes, length in
            receiver(context).characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        handler.internalSubset = { context, _, _, _ in receiver(context).restricted("a DTD") }
        handler.externalSubset = { context, _, _, _ in receiver(context).restricted("a DTD") }
        handler.entityDecl = { context, _, _, _, _, _ in receiver(context).restricted("an entity declaration") }
        handler.getEntity = { context, _ in
            receiver(context).restricted("an entity reference other than the predefined ones")
            return nil
        }
        handler.getParameterEntity = { context, _ in
            receiver(context).restricted("a parameter entity reference")
            return nil
        }
        handler.processingInstruction = { context, _, _ in receiver(context).restricted("a processing instruction") }
        handler.comment = { context, _ in receiver(context).restricted("a comment") }
        handler.serror = { context, error in
            guard let error else { return }
            receiver(context).libxml2Error(
                code: error.pointee.code, isError: error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue,
                message: UnsafePointer(error.pointee.message))
        }
        return handler
    }
}

/// The receiver behind a context's user data. The parser that owns the context owns the
/// receiver too and outlives every callback, so the unretained reference is always valid.
@inline(__always)
private func receiver(_ context: UnsafeMutableRawPointer?) -> SAXReceiver {
    Unmanaged<SAXReceiver>.fromOpaque(context!).takeUnretainedValue()
}
