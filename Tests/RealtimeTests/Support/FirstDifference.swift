/// Where two values first differ, found through reflection (private fields included), as a
/// path and the two leaves: "players.slots[3].chatBucket.tokens: 4.0 vs 5.0". Nil when
/// every leaf prints the same. For failure messages about large values such as a `Hub`.
func firstDifference(_ left: Any, _ right: Any, path: String = "") -> String? {
    let leftMirror = Mirror(reflecting: left)
    let rightMirror = Mirror(reflecting: right)
    var leftChildren = Array(leftMirror.children)
    var rightChildren = Array(rightMirror.children)
    if leftMirror.displayStyle == .dictionary || leftMirror.displayStyle == .set {
        // Equal dictionaries may iterate in different orders: compare them sorted.
        leftChildren.sort { String(reflecting: $0.value) < String(reflecting: $1.value) }
        rightChildren.sort { String(reflecting: $0.value) < String(reflecting: $1.value) }
    }
    if leftChildren.isEmpty || rightChildren.isEmpty || leftMirror.displayStyle == .enum {
        let leftText = String(reflecting: left)
        let rightText = String(reflecting: right)
        return leftText == rightText ? nil : "\(path): \(leftText.prefix(300)) vs \(rightText.prefix(300))"
    }
    if leftChildren.count != rightChildren.count {
        return "\(path): \(leftChildren.count) vs \(rightChildren.count) elements"
    }
    for (index, (leftChild, rightChild)) in zip(leftChildren, rightChildren).enumerated() {
        let name = leftChild.label.map { path.isEmpty ? $0 : "\(path).\($0)" } ?? "\(path)[\(index)]"
        if let difference = firstDifference(leftChild.value, rightChild.value, path: name) { return difference }
    }
    return nil
}
